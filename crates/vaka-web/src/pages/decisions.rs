//! A case from application to decision, placement and end, in the browser: the client's
//! application and a specialist's recommendation, the decision with each departure shown and
//! justified, notification and appeal, the placement with its cost, price changes, incidents and
//! end, and the waiting list. Every form goes through the API's handler (see `desk`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vaka_domain::access::{self, Action};
use vaka_domain::decision::{
    AppealOutcome, AppealStatus, CommunicationMethod, DecisionOutcome, Profession,
};
use vaka_domain::housing::IncidentKind;
use vaka_domain::ids::{ClientId, ProviderId};
use vaka_domain::intervention::Intervention;
use vaka_domain::money::Money;
use vaka_domain::placement::EndReason;
use vaka_domain::provider::HousingKind;
use vaka_store::{AuditAction, clients, decisions as store, housing, providers};

use super::desk::{
    ApiCall, Form, Link, Page, Posted, Table, answer, call_api, id_of, options, post_form, shown,
    today, with_first,
};
use super::form::{Field, FormFields, Input};
use super::journal::{client_id, csrf_ok, page_error};
use super::{Chrome, PageLang, display_name, message};
use crate::AppState;
use crate::api::{decisions as api, economy as api_economy, placements as api_placements};
use crate::auth::{Actor, ApiActor, SessionActor};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::i18n::Tr;

fn interventions(t: Tr, choose: Option<&str>) -> Vec<(String, String)> {
    options(
        t,
        Intervention::ALL,
        Intervention::as_str,
        Intervention::label,
        choose,
    )
}

fn money(ore: i64) -> String {
    Money(ore).to_string()
}

/// The client's name, read under `action` with one access-log entry.
pub(super) async fn client_name(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    action: Action,
    detail: String,
    t: Tr,
) -> Result<String, ApiError> {
    let mut entry = actor.audit(AuditAction::ClientRead, Some(client), detail);
    let mut tx = crate::api::authorised(st, actor, client, action, &mut entry).await?;
    let c = clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(display_name(&c, &actor.user, t))
}

/// The providers of the user's municipality as `(id, name)` choices (no personal data).
async fn provider_options(
    st: &AppState,
    actor: &Actor,
    choose: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut tx = st.store.begin_read().await?;
    let list = providers::list(&mut tx, actor.user.municipality_id).await?;
    tx.commit().await?;
    Ok(with_first(
        choose,
        list.into_iter().map(|p| (p.id.0.to_string(), p.name)),
    ))
}

fn client_back(t: Tr, client: ClientId, name: &str) -> Link {
    Link::new(
        format!("/clients/{}#decisions", client.0),
        format!("{} {name}", t.t("d-back-to")),
    )
}

// ---------------------------------------------------------------- application and recommendation

fn application_form(t: Tr, client: ClientId) -> Form {
    Form {
        id: "application",
        title: t.t("d-application").to_owned(),
        action: format!("/clients/{}/applications", client.0),
        hint: Some(t.t("d-application-hint").to_owned()),
        fields: vec![
            Field::new(
                "intervention",
                t.t("d-applied-for"),
                Input::Select(interventions(t, Some(t.t("d-choose")))),
            )
            .required(),
            Field::new("description", t.t("d-own-words"), Input::Area).required(),
            Field::new("received_on", t.t("d-received-on"), Input::Date).value(today()),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

fn recommendation_form(t: Tr, client: ClientId) -> Form {
    Form {
        id: "recommendation",
        title: t.t("d-recommendation").to_owned(),
        action: format!("/clients/{}/recommendations", client.0),
        hint: Some(t.t("d-recommendation-hint").to_owned()),
        fields: vec![
            Field::new(
                "intervention",
                t.t("d-recommended"),
                Input::Select(interventions(t, Some(t.t("d-choose")))),
            )
            .required(),
            Field::new(
                "profession",
                t.t("d-profession"),
                Input::Select(options(
                    t,
                    Profession::ALL,
                    Profession::as_str,
                    Profession::label,
                    Some(t.t("d-choose")),
                )),
            )
            .required(),
            Field::new("recommended_on", t.t("d-recommended-on"), Input::Date).required(),
            Field::new("recommender_name", t.t("d-recommender"), Input::Text),
            Field::new("document_ref", t.t("d-document-ref"), Input::Text)
                .hint(t.t("d-document-ref-hint")),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

async fn client_form_page(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    client: ClientId,
    title: &str,
    form: Form,
) -> Result<Page, ApiError> {
    let here = format!("{}/new", form.action);
    let name = client_name(
        st,
        &session.actor,
        client,
        Action::WriteClient,
        format!("GET {here}"),
        t,
    )
    .await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        title,
        client_back(t, client, &name),
    )
    .sub(name);
    page.form(form);
    Ok(page)
}

/// The forms on a client that send one request naming the client: the application, the
/// recommendation and the waiting list.
#[derive(Clone, Copy)]
pub enum ClientForm {
    Application,
    Recommendation,
    Queue,
}

impl ClientForm {
    fn form(self, t: Tr, client: ClientId) -> Form {
        match self {
            Self::Application => application_form(t, client),
            Self::Recommendation => recommendation_form(t, client),
            Self::Queue => queue_form(t, client),
        }
    }

    fn title(self, t: Tr) -> &'static str {
        t.t(match self {
            Self::Application => "d-application",
            Self::Recommendation => "d-recommendation",
            Self::Queue => "d-queue",
        })
    }
}

/// `GET /clients/{id}/{applications|recommendations|housing-queue}/new`.
async fn new_for_client(
    kind: ClientForm,
    st: AppState,
    t: Tr,
    session: SessionActor,
    raw: String,
) -> Response {
    let Some(client) = client_id(&raw) else {
        let chrome = Chrome::of(&session, &format!("/clients/{raw}"));
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let chrome = Chrome::of(&session, &format!("{}/new", kind.form(t, client).action));
    match client_form_page(
        &st,
        &session,
        t,
        client,
        kind.title(t),
        kind.form(t, client),
    )
    .await
    {
        Ok(p) => p.show(StatusCode::OK),
        Err(e) => page_error(t, chrome, e),
    }
}

/// The post of a [`ClientForm`]: through `handler` (the API's), back to the client's decisions.
async fn save_for_client<R, F, Fut>(
    kind: ClientForm,
    st: AppState,
    t: Tr,
    session: SessionActor,
    raw: String,
    posted: FormFields,
    handler: F,
) -> Response
where
    R: serde::de::DeserializeOwned,
    F: FnOnce(ClientId, Actor, R) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    let Some(client) = client_id(&raw) else {
        let chrome = Chrome::of(&session, &format!("/clients/{raw}"));
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let form = kind.form(t, client);
    let chrome = Chrome::of(&session, &format!("{}/new", form.action));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let via = format!("POST {}", form.action);
    let result = call_api(&session, &posted, &form.fields, via, |a, r| {
        handler(client, a, r)
    })
    .await
    .map(|_| format!("/clients/{}#decisions", client.0));
    let form_id = form.id;
    let page = client_form_page(&st, &session, t, client, kind.title(t), form);
    answer(t, chrome, result, form_id, &posted, page).await
}

pub async fn new_application(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    new_for_client(ClientForm::Application, st, t, session, raw).await
}

pub async fn save_application(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let s = st.clone();
    save_for_client(
        ClientForm::Application,
        st,
        t,
        session,
        raw,
        posted,
        |client, a, mut r: api::ApplicationRequest| {
            r.client_id = Some(client.0);
            async move {
                api::create_application(State(s), ApiActor(a), JsonBody(r))
                    .await
                    .map(IntoResponse::into_response)
            }
        },
    )
    .await
}

pub async fn new_recommendation(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    new_for_client(ClientForm::Recommendation, st, t, session, raw).await
}

pub async fn save_recommendation(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let s = st.clone();
    save_for_client(
        ClientForm::Recommendation,
        st,
        t,
        session,
        raw,
        posted,
        |client, a, mut r: api::RecommendationRequest| {
            r.client_id = Some(client.0);
            async move {
                api::create_recommendation(State(s), ApiActor(a), JsonBody(r))
                    .await
                    .map(IntoResponse::into_response)
            }
        },
    )
    .await
}

// ---------------------------------------------------------------- the decision

/// The decision form, with what it answers: the open application and recommendation. A
/// justification field appears for each, and the API requires it when the decision departs.
async fn decision_page(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    client: ClientId,
) -> Result<Page, ApiError> {
    let here = format!("/clients/{}/decisions/new", client.0);
    let actor = &session.actor;
    let mut entry = actor.audit(AuditAction::ClientRead, Some(client), format!("GET {here}"));
    let mut tx = crate::api::authorised(st, actor, client, Action::Decide, &mut entry).await?;
    let c = clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    let application = store::open_application(&mut tx, client).await?;
    let recommendation = store::open_recommendation(&mut tx, client).await?;
    tx.audit(entry);
    tx.commit().await?;
    let name = display_name(&c, &actor.user, t);
    let providers = provider_options(st, actor, t.t("d-no-provider")).await?;
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("d-decision"),
        client_back(t, client, &name),
    )
    .sub(name);
    let mut fields = vec![
        Field::new(
            "intervention",
            t.t("intervention"),
            Input::Select(interventions(t, Some(t.t("d-choose")))),
        )
        .required()
        .value(application.as_ref().map_or("", |a| a.intervention.as_str())),
        Field::new(
            "outcome",
            t.t("d-outcome"),
            Input::Select(options(
                t,
                DecisionOutcome::ALL,
                DecisionOutcome::as_str,
                DecisionOutcome::label,
                Some(t.t("d-choose")),
            )),
        )
        .required(),
        Field::new("reasons", t.t("d-reasons"), Input::Area)
            .required()
            .hint(t.t("d-reasons-hint")),
    ];
    match &application {
        Some(a) => {
            page.fact(
                t.t("d-applied-for"),
                format!(
                    "{} ({}): {}",
                    t.pick(a.intervention.label()),
                    a.received_on,
                    a.description
                ),
            );
            fields.push(
                Field::new(
                    "departure_justifications.application",
                    t.t("d-justify-application"),
                    Input::Area,
                )
                .hint(&format!(
                    "{} {}",
                    t.t("d-justify-hint"),
                    t.pick(a.intervention.label())
                )),
            );
        }
        None => page.desk.warnings.push(t.t("d-no-application").to_owned()),
    }
    if let Some(r) = &recommendation {
        page.fact(
            t.t("d-recommended"),
            format!(
                "{} ({}, {})",
                t.pick(r.intervention.label()),
                t.pick(r.profession.label()),
                r.recommended_on
            ),
        );
        fields.push(
            Field::new(
                "departure_justifications.recommendation",
                t.t("d-justify-recommendation"),
                Input::Area,
            )
            .hint(&format!(
                "{} {}",
                t.t("d-justify-hint"),
                t.pick(r.intervention.label())
            )),
        );
    }
    fields.extend([
        Field::new("period_start", t.t("d-period-start"), Input::Date),
        Field::new("period_end", t.t("d-period-end"), Input::Date),
        Field::new("provider_id", t.t("provider"), Input::SelectId(providers)),
        Field::new("decided_on", t.t("d-decided-on"), Input::Date).value(today()),
        Field::new("notified_on", t.t("d-notified-on"), Input::Date).hint(t.t("d-notified-hint")),
    ]);
    fields.extend(communication_fields(t));
    page.form(Form {
        id: "decision",
        title: t.t("d-decision").to_owned(),
        action: format!("/clients/{}/decisions", client.0),
        hint: Some(t.t("d-decision-hint").to_owned()),
        fields,
        submit: t.t("d-decide").to_owned(),
    });
    Ok(page)
}

pub async fn new_decision(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/decisions/new"));
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    match decision_page(&st, &session, t, client).await {
        Ok(p) => p.show(StatusCode::OK),
        Err(e) => page_error(t, chrome, e),
    }
}

pub async fn save_decision(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/clients/{raw}/decisions/new"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let Some(client) = client_id(&raw) else {
        return message(StatusCode::NOT_FOUND, t, chrome, "not-found");
    };
    let page = match decision_page(&st, &session, t, client).await {
        Ok(p) => p,
        Err(e) => return page_error(t, chrome, e),
    };
    let result = call_api(
        &session,
        &posted,
        page.fields("decision"),
        format!("POST /clients/{}/decisions", client.0),
        |a, mut r: api::DecisionRequest| {
            r.client_id = Some(client.0);
            let st = st.clone();
            async move {
                api::create_decision(State(st), ApiActor(a), JsonBody(r))
                    .await
                    .map(IntoResponse::into_response)
            }
        },
    )
    .await
    .map(|v| format!("/decisions/{}", id_of(&v)));
    answer(t, chrome, result, "decision", &posted, async { Ok(page) }).await
}

/// The fields of a kommunicering (FL 25 §), on the decision form and on its own afterwards.
fn communication_fields(t: Tr) -> Vec<Field> {
    vec![
        Field::new("communicated_on", t.t("d-communicated-on"), Input::Date)
            .hint(t.t("d-communicated-hint")),
        Field::new(
            "communication_method",
            t.t("d-communication-method"),
            Input::Select(options(
                t,
                CommunicationMethod::ALL,
                CommunicationMethod::as_str,
                CommunicationMethod::label,
                Some(t.t("d-choose")),
            )),
        ),
        Field::new("client_response", t.t("d-client-response"), Input::Area),
        Field::new(
            "communication_omitted_reason",
            t.t("d-communication-omitted"),
            Input::Text,
        )
        .hint(t.t("d-communication-omitted-hint")),
    ]
}

fn communication_form(t: Tr, id: i64) -> Form {
    Form {
        id: "communication",
        title: t.t("d-communication").to_owned(),
        action: format!("/decisions/{id}/communication"),
        hint: Some(t.t("d-communication-hint").to_owned()),
        fields: communication_fields(t),
        submit: t.t("d-save").to_owned(),
    }
}

fn appeal_form(t: Tr, id: i64, d: &api::DecisionResponse) -> Form {
    Form {
        id: "appeal",
        title: t.t("d-appeal").to_owned(),
        action: format!("/decisions/{id}/appeal"),
        hint: Some(t.t("d-appeal-hint").to_owned()),
        fields: vec![
            Field::new("notified_on", t.t("d-notified-on"), Input::Date)
                .value(d.notified_on.map(|n| n.to_string()).unwrap_or_default()),
            Field::new("appeal_received_on", t.t("d-appeal-received"), Input::Date).value(
                d.appeal_received_on
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            Field::new(
                "appeal_outcome",
                t.t("d-appeal-outcome"),
                Input::Select(options(
                    t,
                    AppealOutcome::ALL,
                    AppealOutcome::as_str,
                    AppealOutcome::label,
                    Some(t.t("d-not-ruled")),
                )),
            )
            .value(d.appeal_outcome.clone().unwrap_or_default()),
            Field::new("appeal_decided_on", t.t("d-appeal-decided"), Input::Date).value(
                d.appeal_decided_on
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

/// A decision: what was decided and on what grounds, its departures with their justifications,
/// the appeal period, the letter, and (for the unit head) notification, appeal and placement.
async fn decision_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/decisions/{raw}");
    let mut actor = session.actor.clone();
    actor.via = Some(format!("GET {here}"));
    let Json(d) =
        api::get_decision(State(st.clone()), ApiActor(actor), Path(raw.to_owned())).await?;
    let client = ClientId(d.client_id);
    let name = client_name(
        st,
        &session.actor,
        client,
        Action::ReadClient,
        format!("GET {here}"),
        t,
    )
    .await?;
    let intervention = t.pick(d.intervention.label());
    let outcome = d
        .outcome
        .parse::<DecisionOutcome>()
        .map_or(d.outcome.clone(), |o| t.pick(o.label()).to_owned());
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &format!("{} {}", t.t("d-decision"), d.id),
        client_back(t, client, &name),
    )
    .sub(format!("{name} · {intervention}: {outcome}"));
    page.fact(
        t.t("d-decided-on"),
        format!("{} ({})", d.decided_on, d.decided_by),
    );
    page.fact(t.t("d-reasons"), d.reasons.clone());
    page.fact(t.t("d-legal-basis"), d.legal_basis.clone());
    if d.period_start.is_some() || d.period_end.is_some() {
        let day =
            |v: Option<chrono::NaiveDate>| v.map_or_else(|| "…".to_owned(), |v| v.to_string());
        page.fact(
            t.t("period"),
            format!("{} – {}", day(d.period_start), day(d.period_end)),
        );
    }
    page.fact(
        t.t("d-notified-on"),
        d.notified_on
            .map_or_else(|| t.t("d-not-yet").to_owned(), |n| n.to_string()),
    );
    if let Some(deadline) = d.appeal_deadline {
        page.fact(t.t("d-appeal-deadline"), deadline.to_string());
    }
    let ruling = d
        .appeal_outcome
        .as_deref()
        .and_then(|o| o.parse::<AppealOutcome>().ok());
    let (sv, en) = AppealStatus::of(
        d.notified_on,
        d.appeal_received_on,
        ruling,
        crate::api::today(),
    )
    .label();
    page.fact(t.t("d-appeal"), t.pick((&sv, &en)).to_owned());
    for (departs, key, text) in [
        (
            d.departs_from_application,
            "d-departs-application",
            &d.departure_justifications["application"],
        ),
        (
            d.departs_from_recommendation,
            "d-departs-recommendation",
            &d.departure_justifications["recommendation"],
        ),
    ] {
        if departs {
            page.desk
                .warnings
                .push(format!("{} {}", t.t(key), text.as_str().unwrap_or("")));
        }
    }
    let method = |m: &str| {
        m.parse::<CommunicationMethod>()
            .map_or_else(|_| m.to_owned(), |m| t.pick(m.label()).to_owned())
    };
    let communication = match (d.communicated_on, &d.communication_omitted_reason) {
        (Some(on), _) => {
            let mut text = format!(
                "{on}, {}",
                method(d.communication_method.as_deref().unwrap_or_default())
            );
            if let Some(r) = &d.client_response {
                text.push_str(&format!(". {}: {r}", t.t("d-client-response")));
            }
            text
        }
        (None, Some(reason)) => format!("{}: {reason}", t.t("d-not-communicated")),
        (None, None) if d.communication_status == "missing" => t.t("d-not-recorded").to_owned(),
        (None, None) => t.t("d-communication-not-required").to_owned(),
    };
    page.fact(t.t("d-communication"), communication);
    if d.communication_status == "missing" {
        page.desk
            .warnings
            .push(t.t("d-communication-missing").to_owned());
    }
    page.desk.links.push(Link::new(
        format!("/decisions/{}/letter", d.id),
        t.t("d-letter"),
    ));
    let decides = access::may_ever(session.actor.user.role, Action::Decide);
    if decides && d.communicated_on.is_none() && d.communication_omitted_reason.is_none() {
        page.form(communication_form(t, d.id));
    }
    if decides && d.outcome != "refused" {
        page.desk.links.push(Link::new(
            format!("/decisions/{}/placements/new", d.id),
            format!("+ {}", t.t("d-placement")),
        ));
    }
    if decides {
        page.form(appeal_form(t, d.id, &d));
    }
    Ok(page)
}

pub async fn decision(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/decisions/{raw}"));
    shown(t, chrome, decision_view(&st, &session, t, &raw).await)
}

pub async fn save_appeal(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let (st2, path) = (st.clone(), raw.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/decisions/{raw}/appeal"),
            here: format!("/decisions/{raw}"),
        },
        ("appeal", &appeal_form(t, 0, &empty_decision()).fields),
        |a, r: api::AppealRequest| async move {
            api::record_appeal(State(st2), ApiActor(a), Path(path), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| format!("/decisions/{raw}"),
        decision_view(&st, &session, t, &raw),
    )
    .await
}

/// `POST /decisions/{id}/communication`: back to the decision once recorded.
pub async fn save_communication(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let (st2, path) = (st.clone(), raw.clone());
    post_form(
        Posted {
            t,
            session: &session,
            fields: &posted,
            action: format!("/decisions/{raw}/communication"),
            here: format!("/decisions/{raw}"),
        },
        ("communication", &communication_fields(t)),
        |a, r: api::CommunicationRequest| async move {
            api::record_communication(State(st2), ApiActor(a), Path(path), JsonBody(r))
                .await
                .map(IntoResponse::into_response)
        },
        |_| format!("/decisions/{raw}"),
        decision_view(&st, &session, t, &raw),
    )
    .await
}

/// The appeal form's fields do not depend on the decision's values when reading a post.
fn empty_decision() -> api::DecisionResponse {
    api::DecisionResponse {
        id: 0,
        client_id: 0,
        intervention: Intervention::Other,
        outcome: String::new(),
        reasons: String::new(),
        legal_basis: String::new(),
        period_start: None,
        period_end: None,
        provider_id: None,
        application_id: None,
        recommendation_id: None,
        departs_from_application: false,
        departs_from_recommendation: false,
        departure_justifications: serde_json::Value::Null,
        decided_on: chrono::NaiveDate::MIN,
        decided_by: String::new(),
        notified_on: None,
        appeal_deadline: None,
        appeal_status: String::new(),
        appeal_received_on: None,
        appeal_timely: None,
        appeal_outcome: None,
        appeal_decided_on: None,
        communication_status: String::new(),
        communicated_on: None,
        communication_method: None,
        client_response: None,
        communication_omitted_reason: None,
    }
}

// ---------------------------------------------------------------- placements

async fn placement_page(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/decisions/{raw}/placements/new");
    let mut actor = session.actor.clone();
    actor.via = Some(format!("GET {here}"));
    let Json(d) =
        api::get_decision(State(st.clone()), ApiActor(actor), Path(raw.to_owned())).await?;
    let client = ClientId(d.client_id);
    let name = client_name(
        st,
        &session.actor,
        client,
        Action::Decide,
        format!("GET {here}"),
        t,
    )
    .await?;
    let mut providers = provider_options(st, &session.actor, t.t("d-no-provider")).await?;
    let mut tx = st.store.begin_read().await?;
    let units = housing::units(&mut tx, session.actor.user.municipality_id).await?;
    tx.commit().await?;
    if let Some(p) = d.provider_id {
        // The decided provider first.
        providers.sort_by_key(|(id, _)| *id != p.to_string());
    }
    let units: Vec<(String, String)> =
        std::iter::once((String::new(), t.t("d-no-unit").to_owned()))
            .chain(units.into_iter().map(|u| {
                (
                    u.id.0.to_string(),
                    format!("{} ({})", u.label, t.pick(intervention_of(u.kind).label())),
                )
            }))
            .collect();
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        t.t("d-placement"),
        Link::new(
            format!("/decisions/{}", d.id),
            format!("{} {}", t.t("d-decision"), d.id),
        ),
    )
    .sub(format!("{name} · {}", t.pick(d.intervention.label())));
    page.form(Form {
        id: "placement",
        title: t.t("d-placement").to_owned(),
        action: format!("/decisions/{}/placements", d.id),
        hint: Some(t.t("d-placement-hint").to_owned()),
        fields: vec![
            Field::new(
                "intervention",
                t.t("intervention"),
                Input::Select(interventions(t, None)),
            )
            .required()
            .value(d.intervention.as_str()),
            Field::new("provider_id", t.t("provider"), Input::SelectId(providers))
                .value(d.provider_id.map(|p| p.to_string()).unwrap_or_default()),
            Field::new(
                "housing_unit_id",
                t.t("d-housing-unit"),
                Input::SelectId(units),
            ),
            Field::new("start", t.t("d-start"), Input::Date)
                .required()
                .value(d.period_start.map_or_else(today, |s| s.to_string())),
            Field::new("end", t.t("d-end-planned"), Input::Date)
                .value(d.period_end.map(|e| e.to_string()).unwrap_or_default()),
            Field::new("daily_price_ore", t.t("d-daily-price-sek"), Input::Sek)
                .hint(t.t("d-daily-price-hint")),
            Field::new("price_reason", t.t("d-price-reason"), Input::Text)
                .hint(t.t("d-price-reason-hint")),
        ],
        submit: t.t("d-start-placement").to_owned(),
    });
    Ok(page)
}

fn intervention_of(kind: HousingKind) -> Intervention {
    match kind {
        HousingKind::TrainingApartment => Intervention::TrainingApartment,
        HousingKind::SupportedHousingInternal => Intervention::SupportedHousingInternal,
    }
}

pub async fn new_placement(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/decisions/{raw}/placements/new"));
    if !access::may_ever(session.actor.user.role, Action::Decide) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    shown(t, chrome, placement_page(&st, &session, t, &raw).await)
}

pub async fn save_placement(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/decisions/{raw}/placements/new"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    if !access::may_ever(session.actor.user.role, Action::Decide) {
        return message(StatusCode::FORBIDDEN, t, chrome, "forbidden");
    }
    let page = match placement_page(&st, &session, t, &raw).await {
        Ok(p) => p,
        Err(ApiError::Invalid(_)) => return message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
        Err(e) => return page_error(t, chrome, e),
    };
    let decision: i64 = raw.parse().unwrap_or_default();
    // The decision was read under the rules above; its client is the placement's.
    let client_id = client_of_decision(&st, decision).await;
    let result = match client_id {
        Err(e) => Err(e),
        Ok(client_id) => call_api(
            &session,
            &posted,
            page.fields("placement"),
            format!("POST /decisions/{decision}/placements"),
            |a, mut r: api_placements::PlacementRequest| {
                r.client_id = Some(client_id);
                r.decision_id = Some(decision);
                let st = st.clone();
                async move {
                    api_placements::create_placement(State(st), ApiActor(a), JsonBody(r))
                        .await
                        .map(IntoResponse::into_response)
                }
            },
        )
        .await
        .map(|v| format!("/placements/{}", id_of(&v))),
    };
    answer(t, chrome, result, "placement", &posted, async { Ok(page) }).await
}

async fn client_of_decision(st: &AppState, decision: i64) -> Result<i64, ApiError> {
    let mut tx = st.store.begin_read().await?;
    let d = store::decision(&mut tx, vaka_domain::ids::DecisionId(decision)).await?;
    tx.commit().await?;
    d.map(|d| d.client_id.0).ok_or(ApiError::NotFound)
}

fn end_form(t: Tr, id: i64) -> Form {
    Form {
        id: "end",
        title: t.t("d-end").to_owned(),
        action: format!("/placements/{id}/end"),
        hint: Some(t.t("d-end-hint").to_owned()),
        fields: vec![
            Field::new("end", t.t("d-last-day"), Input::Date)
                .required()
                .value(today()),
            Field::new(
                "end_reason",
                t.t("end-reason"),
                Input::Select(options(
                    t,
                    EndReason::ALL,
                    EndReason::as_str,
                    EndReason::label,
                    Some(t.t("d-planned-end")),
                )),
            ),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

fn price_form(t: Tr, id: i64) -> Form {
    Form {
        id: "price",
        title: t.t("d-price-change").to_owned(),
        action: format!("/placements/{id}/prices"),
        hint: None,
        fields: vec![
            Field::new("from", t.t("d-price-from"), Input::Date).required(),
            Field::new("daily_price_ore", t.t("d-daily-price-sek"), Input::Sek).required(),
            Field::new("reason", t.t("d-price-reason"), Input::Text).required(),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

fn incident_form(t: Tr, id: i64) -> Form {
    Form {
        id: "incident",
        title: t.t("d-incident").to_owned(),
        action: format!("/placements/{id}/incidents"),
        hint: Some(t.t("d-incident-hint").to_owned()),
        fields: vec![
            Field::new(
                "kind",
                t.t("kind"),
                Input::Select(options(
                    t,
                    IncidentKind::ALL,
                    IncidentKind::as_str,
                    IncidentKind::label,
                    Some(t.t("d-choose")),
                )),
            )
            .required(),
            Field::new("occurred_on", t.t("date"), Input::Date)
                .required()
                .value(today()),
            Field::new("note", t.t("note"), Input::Area),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

/// A placement: its days and cost (per year too), its prices, and the forms to change the price,
/// record an incident in own housing, and end it.
async fn placement_view(
    st: &AppState,
    session: &SessionActor,
    t: Tr,
    raw: &str,
) -> Result<Page, ApiError> {
    let here = format!("/placements/{raw}");
    let mut actor = session.actor.clone();
    actor.via = Some(format!("GET {here}"));
    let Json(p) =
        api_placements::get_placement(State(st.clone()), ApiActor(actor), Path(raw.to_owned()))
            .await?;
    let client = ClientId(p.client_id);
    let name = client_name(
        st,
        &session.actor,
        client,
        Action::ReadClient,
        format!("GET {here}"),
        t,
    )
    .await?;
    let mut tx = st.store.begin_read().await?;
    let provider = match p.provider_id {
        Some(id) => providers::get(&mut tx, ProviderId(id))
            .await?
            .map(|x| x.name),
        None => None,
    };
    let unit = match p.housing_unit_id {
        Some(id) => housing::unit(&mut tx, vaka_domain::ids::HousingUnitId(id))
            .await?
            .map(|u| u.label),
        None => None,
    };
    tx.commit().await?;
    let intervention = t.pick(p.intervention.label());
    let mut page = Page::new(
        t,
        Chrome::of(session, &here),
        &format!("{} {}", t.t("d-placement"), p.id),
        client_back(t, client, &name),
    )
    .sub(format!("{name} · {intervention}"));
    page.fact(t.t("provider"), provider.unwrap_or_else(|| "–".into()));
    if let Some(u) = unit {
        page.fact(t.t("d-housing-unit"), u);
    }
    page.fact(
        t.t("period"),
        format!(
            "{} – {}",
            p.start,
            p.end.map_or_else(|| "…".to_owned(), |e| e.to_string())
        ),
    );
    page.fact(t.t("daily-price"), money(p.daily_price_ore));
    if let Some(r) = &p.price_reason {
        page.fact(t.t("d-price-reason"), r.clone());
    }
    page.fact(
        t.t(&format!("d-days-{}", p.day_count.as_str())),
        p.days.to_string(),
    );
    page.fact(t.t("d-cost"), money(p.cost_ore));
    if let Some(r) = p.end_reason {
        page.fact(t.t("end-reason"), t.pick(r.label()).to_owned());
    }
    if let Some(d) = p.decision_id {
        page.desk.links.push(Link::new(
            format!("/decisions/{d}"),
            format!("{} {d}", t.t("d-decision")),
        ));
    }
    let mut years = Table::new(t.t("d-cost-by-year"), &[t.t("d-year"), t.t("d-cost")]);
    for (y, c) in &p.cost_by_year {
        years.row(vec![(y.to_string(), None), (money(*c), None)]);
    }
    page.desk.tables.push(years);
    let mut prices = Table::new(
        t.t("d-prices"),
        &[
            t.t("d-price-from"),
            t.t("daily-price"),
            t.t("d-price-reason"),
        ],
    );
    prices.row(vec![
        (p.start.to_string(), None),
        (money(p.daily_price_ore), None),
        (
            p.price_reason
                .clone()
                .unwrap_or_else(|| t.t("d-contract-price").to_owned()),
            None,
        ),
    ]);
    for c in &p.price_changes {
        prices.row(vec![
            (c.from.to_string(), None),
            (money(c.daily_price_ore), None),
            (c.reason.clone(), None),
        ]);
    }
    page.desk.tables.push(prices);
    if access::may_ever(session.actor.user.role, Action::Decide) {
        page.form(price_form(t, p.id));
        if p.housing_unit_id.is_some() {
            page.form(incident_form(t, p.id));
        }
        if p.end_reason.is_none() {
            page.form(end_form(t, p.id));
        }
    }
    Ok(page)
}

pub async fn placement(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/placements/{raw}"));
    shown(t, chrome, placement_view(&st, &session, t, &raw).await)
}

/// `POST /placements/{id}/{end|prices|incidents}`: one of the placement page's forms.
pub async fn placement_action(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path((raw, what)): Path<(String, String)>,
    posted: FormFields,
) -> Response {
    let chrome = Chrome::of(&session, &format!("/placements/{raw}"));
    if !csrf_ok(&session, &posted) {
        return message(StatusCode::FORBIDDEN, t, chrome, "login-csrf");
    }
    let call = ApiCall {
        session: &session,
        posted: &posted,
        via: format!("POST /placements/{raw}/{what}"),
        st: st.clone(),
        path: raw.clone(),
    };
    let (form_id, result) = match what.as_str() {
        "end" => (
            "end",
            call.send(&end_form(t, 0).fields, api_placements::end_placement)
                .await,
        ),
        "prices" => (
            "price",
            call.send(&price_form(t, 0).fields, api_placements::change_price)
                .await,
        ),
        "incidents" => (
            "incident",
            call.send(&incident_form(t, 0).fields, api_economy::create_incident)
                .await,
        ),
        _ => return message(StatusCode::NOT_FOUND, t, chrome, "not-found"),
    };
    let result = result.map(|_| format!("/placements/{raw}"));
    answer(
        t,
        chrome,
        result,
        form_id,
        &posted,
        placement_view(&st, &session, t, &raw),
    )
    .await
}

// ---------------------------------------------------------------- the waiting list

fn queue_form(t: Tr, client: ClientId) -> Form {
    let kinds = HousingKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_owned(),
                t.pick(intervention_of(*k).label()).to_owned(),
            )
        })
        .collect();
    Form {
        id: "housing-queue",
        title: t.t("d-queue").to_owned(),
        action: format!("/clients/{}/housing-queue", client.0),
        hint: None,
        fields: vec![
            Field::new("kind", t.t("kind"), Input::Select(kinds)).required(),
            Field::new("added_on", t.t("d-added-on"), Input::Date).value(today()),
        ],
        submit: t.t("d-save").to_owned(),
    }
}

pub async fn new_queue_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
) -> Response {
    new_for_client(ClientForm::Queue, st, t, session, raw).await
}

pub async fn save_queue_entry(
    State(st): State<AppState>,
    PageLang(t): PageLang,
    session: SessionActor,
    Path(raw): Path<String>,
    posted: FormFields,
) -> Response {
    let s = st.clone();
    save_for_client(
        ClientForm::Queue,
        st,
        t,
        session,
        raw,
        posted,
        |client, a, mut r: api_economy::QueueRequest| {
            r.client_id = Some(client.0);
            async move {
                api_economy::enqueue(State(s), ApiActor(a), JsonBody(r))
                    .await
                    .map(IntoResponse::into_response)
            }
        },
    )
    .await
}
