//! `/api/v1/clients/{id}/contacts`: the follow-up journal. Drafts can be edited; a signed entry is
//! never changed (409) — a correction is a new entry with `corrects`, and both stay visible. The
//! person's objection to a signed entry is recorded beside it (`…/contacts/{id}/objections`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vaka_domain::access::Action;
use vaka_domain::contact::{
    Contact, ContactInput, ContactKind, EntryStatus, Housing, NewContact, NewObjection, Objection,
    Risk, Sleep, Substance, SubstanceUse,
};
use vaka_domain::ids::{ClientId, ContactId};
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, contacts};

use super::{authorised, authorised_read, int_param, path_id, usernames};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ContactRequest {
    /// When the contact took place, RFC 3339.
    pub occurred_at: Option<String>,
    /// `meeting`, `home_visit`, `phone`, `message`, `attempted`, `no_show`.
    pub kind: Option<String>,
    /// `none`, `lapse`, `relapse`, `unknown`.
    pub substance_use: Option<String>,
    /// With a lapse or relapse: `alcohol`, `cannabis`, `amphetamine`, `cocaine`, `opioids`,
    /// `benzodiazepines`, `gabapentinoids`, `other`.
    #[serde(default)]
    pub substances: Vec<String>,
    /// Risks that happened or came up since the last contact, each raising its own alert:
    /// `overdose`, `suicide_risk`, `violence`, `eviction_risk`. Default none.
    #[serde(default)]
    pub risks: Vec<String>,
    /// Self-rated well-being 0–10.
    pub well_being: Option<i64>,
    /// `good`, `poor`, `unknown`.
    pub sleep: Option<String>,
    /// `own`, `training_apartment`, `supported_housing`, `treatment_home`, `homeless`, `hospital`,
    /// `custody`, `unknown`.
    pub housing: Option<String>,
    pub note: Option<String>,
    /// `true` signs the entry; after that it can never be changed.
    #[serde(default)]
    pub signed: bool,
    /// The id of the signed entry this one corrects.
    pub corrects: Option<i64>,
    /// The goal of the client's plan (`GET /api/v1/cases/{id}/plan`) the contact served.
    pub plan_goal_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactResponse {
    pub id: i64,
    pub client_id: i64,
    pub case_id: Option<i64>,
    /// Username of the author.
    pub author: String,
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    pub substance_use: SubstanceUse,
    pub substances: Vec<Substance>,
    pub risks: Vec<Risk>,
    pub well_being: Option<u8>,
    pub sleep: Option<Sleep>,
    pub housing: Housing,
    pub note: Option<String>,
    pub status: EntryStatus,
    pub signed: bool,
    pub signed_at: Option<DateTime<Utc>>,
    pub corrects: Option<i64>,
    /// The goal of the client's plan the contact served.
    pub plan_goal_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The person's objections to this entry, oldest first (only a signed entry has any).
    #[serde(default)]
    pub objections: Vec<ObjectionResponse>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// What the person says is wrong or missing in the entry, in their own words.
    pub statement: Option<String>,
    /// `YYYY-MM-DD`, the day the person made the objection; default today. Not before the
    /// entry's own day.
    pub received_on: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ObjectionResponse {
    pub id: i64,
    pub client_id: i64,
    pub contact_id: i64,
    pub statement: String,
    pub received_on: chrono::NaiveDate,
    /// Username of the staff member who recorded it.
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

fn objection_response(o: Objection, recorded_by: String) -> ObjectionResponse {
    ObjectionResponse {
        id: o.id.0,
        client_id: o.client_id.0,
        contact_id: o.contact_id.0,
        statement: o.statement,
        received_on: o.received_on,
        recorded_by,
        created_at: o.created_at,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactResponse>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ContactParams {
    /// 1–500, default 100.
    pub limit: Option<String>,
}

fn respond(c: Contact, author: String) -> ContactResponse {
    ContactResponse {
        id: c.id.0,
        client_id: c.client_id.0,
        case_id: c.case_id.map(|x| x.0),
        author,
        occurred_at: c.occurred_at,
        kind: c.kind,
        substance_use: c.substance_use,
        substances: c.substances,
        risks: c.risks,
        well_being: c.well_being,
        sleep: c.sleep,
        housing: c.housing,
        note: c.note,
        signed: c.status == EntryStatus::Signed,
        status: c.status,
        signed_at: c.signed_at,
        corrects: c.corrects.map(|x| x.0),
        plan_goal_id: c.plan_goal.map(|g| g.0),
        created_at: c.created_at,
        objections: Vec::new(),
    }
}

fn parse(req: &ContactRequest) -> Result<NewContact, ApiError> {
    Ok(NewContact::parse(
        &ContactInput {
            occurred_at: req.occurred_at.as_deref(),
            kind: req.kind.as_deref(),
            substance_use: req.substance_use.as_deref(),
            substances: &req.substances,
            risks: &req.risks,
            well_being: req.well_being,
            sleep: req.sleep.as_deref(),
            housing: req.housing.as_deref(),
            note: req.note.as_deref(),
            signed: req.signed,
            corrects: req.corrects,
            plan_goal_id: req.plan_goal_id,
        },
        vaka_store::now(),
    )?)
}

/// Stores a journal entry in one transaction with its access-log entry: a new entry when `draft`
/// is `None`, else an edit of the caller's own draft. Signing runs the alert rules in the same
/// transaction. Used by the API and the pages alike.
pub(crate) async fn save(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    draft: Option<ContactId>,
    new: &NewContact,
    detail: String,
) -> Result<Contact, ApiError> {
    let action = if draft.is_some() {
        AuditAction::ContactUpdate
    } else {
        AuditAction::ContactCreate
    };
    let mut entry = actor.audit(action, Some(client), detail);
    let mut tx = authorised(st, actor, client, Action::WriteClient, &mut entry).await?;
    if let Some(goal) = new.plan_goal {
        let known = vaka_store::plans::goal(&mut tx, goal)
            .await?
            .is_some_and(|g| g.goal.client_id == client);
        if !known {
            return Err(FieldError::new(
                "plan_goal_id",
                "unknown_goal",
                Msg::new(
                    "Målet finns inte i klientens genomförandeplaner.",
                    "The goal is not in the client's plans.",
                ),
            )
            .into());
        }
    }
    let (id, case) = match draft {
        None => {
            if let Some(target) = new.corrects {
                let ok = contacts::get(&mut tx, target)
                    .await?
                    .is_some_and(|t| t.client_id == client && t.status == EntryStatus::Signed);
                if !ok {
                    return Err(FieldError::new(
                        "corrects",
                        "not_a_signed_entry",
                        Msg::new(
                            "Rättelsen måste avse en signerad anteckning för samma klient.",
                            "A correction must point at a signed entry of the same client.",
                        ),
                    )
                    .into());
                }
            }
            let case = contacts::open_case(&mut tx, client).await?;
            let id = contacts::insert(&mut tx, client, case, actor.user.id, new).await?;
            (id, case)
        }
        Some(id) => {
            let existing = contacts::get(&mut tx, id)
                .await?
                .filter(|c| c.client_id == client)
                .ok_or(ApiError::NotFound)?;
            if existing.status == EntryStatus::Signed {
                return Err(ApiError::Conflict(FieldError::new(
                    "",
                    "signed_entry",
                    Msg::new(
                        "En signerad anteckning ändras aldrig. Skriv en rättelse (corrects).",
                        "A signed entry is never changed. Write a correction (corrects).",
                    ),
                )));
            }
            if existing.author_id != actor.user.id {
                return Err(ApiError::Forbidden);
            }
            if new.corrects != existing.corrects {
                return Err(FieldError::new(
                    "corrects",
                    "immutable",
                    Msg::new("Kan inte ändras.", "Cannot be changed."),
                )
                .into());
            }
            contacts::update_draft(&mut tx, id, new)
                .await
                .map_err(|e| match e {
                    vaka_store::StoreError::Conflict(_) => ApiError::Conflict(FieldError::new(
                        "",
                        "signed_entry",
                        Msg::new("Anteckningen är signerad.", "The entry is signed."),
                    )),
                    other => other.into(),
                })?;
            (id, existing.case_id)
        }
    };
    if new.signed {
        super::alerts::evaluate(&mut tx, client).await?;
    }
    entry.case_id = case;
    tx.audit(entry);
    let stored = contacts::get(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok(stored)
}

/// Record a follow-up contact (a journal entry), as a draft or signed.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts", tag = "journal", params(("id" = i64, Path)), request_body = ContactRequest,
    responses((status = 201, body = ContactResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_contact(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<ContactRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let new = parse(&req)?;
    let detail = format!("POST /api/v1/clients/{}/contacts", client.0);
    let stored = save(&st, &actor, client, None, &new, detail).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/clients/{}/contacts/{}", client.0, stored.id.0),
        )],
        Json(respond(stored, actor.user.username.clone())),
    ))
}

/// Edit a draft (and sign it with `"signed": true`). A signed entry answers 409 and stays as it was.
#[utoipa::path(put, path = "/api/v1/clients/{id}/contacts/{contact_id}", tag = "journal",
    params(("id" = i64, Path), ("contact_id" = i64, Path)), request_body = ContactRequest,
    responses((status = 200, body = ContactResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not the author's draft"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The entry is signed"), (status = 422, body = ErrorBody)))]
pub async fn update_contact(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((raw, raw_contact)): Path<(String, String)>,
    JsonBody(req): JsonBody<ContactRequest>,
) -> Result<Json<ContactResponse>, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let id = ContactId(path_id(&raw_contact)?);
    let new = parse(&req)?;
    let detail = format!("PUT /api/v1/clients/{}/contacts/{}", client.0, id.0);
    let stored = save(&st, &actor, client, Some(id), &new, detail).await?;
    Ok(Json(respond(stored, actor.user.username.clone())))
}

/// A client's journal, newest first; corrections and the entries they correct both appear.
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts", tag = "journal", params(("id" = i64, Path), ContactParams),
    responses((status = 200, body = ContactList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_contacts(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    Query(p): Query<ContactParams>,
) -> Result<Json<ContactList>, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let limit = int_param("limit", p.limit.as_deref(), 100, 1, 500)?;
    let mut entry = actor.audit(
        AuditAction::ContactRead,
        Some(client),
        format!("GET /api/v1/clients/{}/contacts", client.0),
    );
    let mut tx = authorised_read(&st, &actor, client, Action::ReadClient, &mut entry).await?;
    let list = contacts::for_client(&mut tx, client, limit).await?;
    let objections = contacts::objections(&mut tx, client, None).await?;
    let authors: Vec<_> = list.iter().map(|c| c.author_id).collect();
    let names = usernames(&mut tx, authors).await?;
    let items = list
        .into_iter()
        .map(|c| {
            let author = names.get(&c.author_id.0).cloned().unwrap_or_default();
            let mut r = respond(c, author);
            r.objections = objections
                .iter()
                .filter(|o| o.objection.contact_id.0 == r.id)
                .map(|o| objection_response(o.objection.clone(), o.username.clone()))
                .collect();
            r
        })
        .collect();
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(ContactList { items }))
}

/// Record the person's objection to a signed journal entry (SoL 11 kap. 6 §): it stands beside the
/// entry, which is not changed, and is itself never changed. A draft answers 409.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts/{contact_id}/objections", tag = "journal",
    params(("id" = i64, Path), ("contact_id" = i64, Path)), request_body = ObjectionRequest,
    responses((status = 201, body = ObjectionResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The entry is a draft (`entry_not_signed`)"),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_objection(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((raw, raw_contact)): Path<(String, String)>,
    JsonBody(req): JsonBody<ObjectionRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let id = ContactId(path_id(&raw_contact)?);
    let mut entry = actor.audit(
        AuditAction::ObjectionCreate,
        Some(client),
        format!(
            "POST /api/v1/clients/{}/contacts/{}/objections",
            client.0, id.0
        ),
    );
    let mut tx = authorised(&st, &actor, client, Action::WriteClient, &mut entry).await?;
    let target = contacts::get(&mut tx, id)
        .await?
        .filter(|c| c.client_id == client)
        .ok_or(ApiError::NotFound)?;
    target.takes_objection().map_err(ApiError::Conflict)?;
    let new = NewObjection::parse(
        req.statement.as_deref(),
        req.received_on.as_deref(),
        &target,
        super::today(),
    )?;
    let oid = contacts::insert_objection(&mut tx, &target, actor.user.id, &new).await?;
    entry.case_id = target.case_id;
    tx.audit(entry);
    let stored = contacts::objections(&mut tx, client, Some(id))
        .await?
        .into_iter()
        .find(|o| o.objection.id == oid)
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(objection_response(stored.objection, stored.username)),
    ))
}
