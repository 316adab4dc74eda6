//! `/api/v1/clients/{id}/assessments` (AUDIT, DUDIT) and `/api/v1/clients/{id}/follow-ups`
//! (intake, 6 and 12 months), the instruments themselves, and the screening cut-off settings.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vaka_domain::access::Action;
use vaka_domain::assessment::scoring;
use vaka_domain::assessment::{Assessment, Instrument, Respondent, items};
use vaka_domain::followup::{FollowUp, FollowUpInput, FollowUpRecord};
use vaka_domain::ids::ClientId;
use vaka_domain::{FieldError, Msg};
use vaka_store::{AuditAction, clients, outcomes, settings};

use super::{authorised, authorised_read, path_id, usernames};
use crate::AppState;
use crate::auth::{Actor, ApiActor};
use crate::body::JsonBody;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AssessmentRequest {
    /// `AUDIT` or `DUDIT`.
    pub instrument: Option<String>,
    /// The points of each item in order (AUDIT 10, DUDIT 11).
    #[serde(default)]
    #[schema(value_type = Vec<i64>)]
    pub answers: Vec<serde_json::Value>,
    /// `YYYY-MM-DD`; today when left out.
    pub administered_on: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssessmentResponse {
    pub id: i64,
    pub client_id: i64,
    pub instrument: String,
    pub answers: Vec<u8>,
    pub total: u8,
    /// AUDIT: `I`–`IV`. DUDIT: `negative`, `drug_related_problems`, `probable_dependence`.
    pub zone: String,
    pub above_cutoff: bool,
    /// The cut-off that applied, and why (`man`, `woman`, `over_65`, `young_man`, `young_woman`,
    /// `unknown_sex`).
    pub cutoff: u8,
    pub cutoff_basis: String,
    /// AUDIT-C (items 1–3, 0–12); AUDIT only.
    pub audit_c: Option<u8>,
    /// The municipality's cut-off profile on the day.
    pub profile: String,
    pub administered_on: NaiveDate,
    /// Username of who administered it.
    pub administered_by: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssessmentList {
    pub items: Vec<AssessmentResponse>,
}

fn assessment_response(a: Assessment, by: String) -> AssessmentResponse {
    AssessmentResponse {
        id: a.id.0,
        client_id: a.client_id.0,
        instrument: a.instrument.as_str().to_owned(),
        answers: a.answers,
        total: a.score.total,
        zone: a.score.zone.as_str().to_owned(),
        above_cutoff: a.score.above_cutoff,
        cutoff: a.score.cutoff,
        cutoff_basis: a.score.cutoff_basis.as_str().to_owned(),
        audit_c: a.score.audit_c,
        profile: a.score.profile.as_str().to_owned(),
        administered_on: a.administered_on,
        administered_by: by,
    }
}

/// Parses the instrument and the answers; every wrong answer is named by its item.
pub(crate) fn parse_answers(
    instrument: Option<&str>,
    answers: &[Option<i64>],
) -> Result<(Instrument, Vec<u8>), ApiError> {
    let instrument: Instrument = match instrument.map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(FieldError::required("instrument").into()),
        Some(s) => s
            .to_ascii_uppercase()
            .parse()
            .map_err(|e: vaka_domain::error::UnknownName| e.for_field("instrument"))?,
    };
    let items = items::items(instrument);
    let missing: Vec<FieldError> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_none())
        .map(|(i, _)| {
            FieldError::new(
                format!("answers[{i}]"),
                "required",
                Msg::new(
                    format!("Fråga {} saknar svar.", i + 1),
                    format!("Item {} has no answer.", i + 1),
                ),
            )
        })
        .collect();
    if !missing.is_empty() && answers.len() == items.len() {
        return Err(missing.into());
    }
    let values: Vec<i64> = answers.iter().map(|a| a.unwrap_or(-1)).collect();
    let points = scoring::check_answers(instrument, &values)?;
    Ok((instrument, points))
}

fn administered_on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    Ok(vaka_domain::error::day_up_to_today(
        "administered_on",
        raw,
        today,
    )?)
}

/// Scores and stores one assessment in one transaction with its access-log entry. Used by the
/// API and the pages alike.
pub(crate) async fn save_assessment(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    instrument: Instrument,
    points: &[u8],
    administered_on_raw: Option<&str>,
    detail: String,
) -> Result<Assessment, ApiError> {
    let today = vaka_domain::time::local_date(vaka_store::now());
    let on = administered_on(administered_on_raw, today)?;
    let mut entry = actor.audit(AuditAction::AssessmentCreate, Some(client), detail);
    let mut tx = authorised(st, actor, client, Action::WriteClient, &mut entry).await?;
    let person = clients::get(&mut tx, client)
        .await?
        .ok_or(ApiError::NotFound)?;
    if on < person.birth_date {
        return Err(FieldError::new(
            "administered_on",
            "before_birth",
            Msg::new(
                "Dagen ligger före födelsedagen.",
                "The day is before the birth date.",
            ),
        )
        .into());
    }
    let profile = settings::screening_profile(&mut tx, person.municipality_id).await?;
    let score = scoring::score(
        instrument,
        points,
        Respondent::new(person.sex, person.birth_date, on),
        &profile,
    );
    let id = outcomes::insert_assessment(
        &mut tx,
        client,
        instrument,
        points,
        &score,
        on,
        actor.user.id,
    )
    .await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Assessment {
        id,
        client_id: client,
        instrument,
        answers: points.to_vec(),
        score,
        administered_on: on,
        administered_by: actor.user.id,
    })
}

fn json_answers(values: &[serde_json::Value]) -> Vec<Option<i64>> {
    values.iter().map(serde_json::Value::as_i64).collect()
}

/// Record an AUDIT or DUDIT: the points of each item in order. Answers 201 with the total, the
/// zone and whether the score reaches the cut-off for the person's sex and age under the
/// municipality's profile; an answer that is not a valid score for its item → 422 naming it
/// (`answers[8]` is item 9).
#[utoipa::path(post, path = "/api/v1/clients/{id}/assessments", tag = "assessments", params(("id" = i64, Path)),
    request_body = AssessmentRequest,
    responses((status = 201, body = AssessmentResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field or answer, named in `error.field`")))]
pub async fn create_assessment(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<AssessmentRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let (instrument, points) =
        parse_answers(req.instrument.as_deref(), &json_answers(&req.answers))?;
    let detail = format!("POST /api/v1/clients/{}/assessments", client.0);
    let a = save_assessment(
        &st,
        &actor,
        client,
        instrument,
        &points,
        req.administered_on.as_deref(),
        detail,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/clients/{}/assessments", client.0),
        )],
        Json(assessment_response(a, actor.user.username.clone())),
    ))
}

/// A client's assessments, oldest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/assessments", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_assessments(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<AssessmentList>, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let mut entry = actor.audit(
        AuditAction::AssessmentRead,
        Some(client),
        format!("GET /api/v1/clients/{}/assessments", client.0),
    );
    let mut tx = authorised_read(&st, &actor, client, Action::ReadClient, &mut entry).await?;
    let list = outcomes::assessments_for(&mut tx, client).await?;
    let by: Vec<_> = list.iter().map(|a| a.administered_by).collect();
    let names = usernames(&mut tx, by).await?;
    tx.audit(entry);
    tx.commit().await?;
    let items = list
        .into_iter()
        .map(|a| {
            let by = names.get(&a.administered_by.0).cloned().unwrap_or_default();
            assessment_response(a, by)
        })
        .collect();
    Ok(Json(AssessmentList { items }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FollowUpRequest {
    /// `intake`, `month_6`, `month_12`.
    pub timepoint: Option<String>,
    /// `done` or `missed`.
    pub status: Option<String>,
    /// `YYYY-MM-DD`, the day it was done (or found missed); today when left out.
    pub done_on: Option<String>,
    /// With `missed`: `not_reached`, `declined`, `moved`, `died`, `other`.
    pub missed_reason: Option<String>,
    /// Days with alcohol in the last 30 (0–30).
    pub days_alcohol_30: Option<i64>,
    /// Days with drugs in the last 30 (0–30).
    pub days_drugs_30: Option<i64>,
    /// As in the journal: `own`, `training_apartment`, ..., `unknown`.
    pub housing: Option<String>,
    /// `work`, `studies`, `activity`, `none`, `unknown`.
    pub occupation: Option<String>,
    /// Any crime in the last 30 days.
    pub crime_30: Option<bool>,
    /// 1 (poor) – 5 (excellent).
    pub self_rated_health: Option<i64>,
    /// 0–10.
    pub quality_of_life: Option<i64>,
    /// The interviewer's judgement: problematic use of alcohol or drugs now.
    pub problematic_use: Option<bool>,
    /// Interviewer severity rating 0–9 per ASI area: `physical_health`, `employment_support`,
    /// `alcohol`, `drugs`, `legal`, `family_social`, `psychiatric`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, i64>)]
    pub asi_ratings: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpResponse {
    pub id: i64,
    pub client_id: i64,
    pub placement_id: Option<i64>,
    pub timepoint: String,
    pub due_on: NaiveDate,
    /// `due`, `done` or `missed`.
    pub status: String,
    pub done_on: Option<NaiveDate>,
    /// `not_reached`, `declined`, `moved`, `died`, `other`, or `window_passed` (recorded by the
    /// scheduled check when nobody recorded it in time).
    pub missed_reason: Option<String>,
    pub days_alcohol_30: Option<u8>,
    pub days_drugs_30: Option<u8>,
    pub housing: Option<String>,
    pub occupation: Option<String>,
    pub crime_30: Option<bool>,
    pub self_rated_health: Option<u8>,
    pub quality_of_life: Option<u8>,
    pub problematic_use: Option<bool>,
    pub asi_ratings: BTreeMap<String, u8>,
    /// Own housing, no problematic use and an occupation; `null` while one is unknown.
    pub lives_independently: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUpResponse>,
}

fn follow_up_response(f: FollowUp) -> FollowUpResponse {
    let o = &f.outcomes;
    FollowUpResponse {
        id: f.id.0,
        client_id: f.client_id.0,
        placement_id: f.placement_id.map(|p| p.0),
        timepoint: f.timepoint.as_str().to_owned(),
        due_on: f.due_on,
        status: f.status.as_str().to_owned(),
        done_on: f.done_on,
        missed_reason: f.missed_reason.map(|r| r.as_str().to_owned()),
        days_alcohol_30: o.days_alcohol_30,
        days_drugs_30: o.days_drugs_30,
        housing: o.housing.map(|h| h.as_str().to_owned()),
        occupation: o.occupation.map(|x| x.as_str().to_owned()),
        crime_30: o.crime_30,
        self_rated_health: o.self_rated_health,
        quality_of_life: o.quality_of_life,
        problematic_use: o.problematic_use,
        asi_ratings: o
            .asi_ratings
            .iter()
            .map(|(a, r)| (a.as_str().to_owned(), *r))
            .collect(),
        lives_independently: o.lives_independently(),
    }
}

/// Records a follow-up in one transaction with its access-log entry; returns the stored row.
/// Used by the API and the pages alike.
pub(crate) async fn save_follow_up(
    st: &AppState,
    actor: &Actor,
    client: ClientId,
    rec: &FollowUpRecord,
    detail: String,
) -> Result<FollowUp, ApiError> {
    let mut entry = actor.audit(AuditAction::FollowUpRecord, Some(client), detail);
    let mut tx = authorised(st, actor, client, Action::WriteClient, &mut entry).await?;
    let id = outcomes::record(&mut tx, client, rec, actor.user.id).await?;
    let stored = outcomes::follow_up(&mut tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(stored)
}

/// Record a follow-up at intake, 6 or 12 months: done with its outcomes, or missed with the
/// reason. It completes the earliest follow-up due at that timepoint, or stands on its own.
#[utoipa::path(post, path = "/api/v1/clients/{id}/follow-ups", tag = "assessments", params(("id" = i64, Path)),
    request_body = FollowUpRequest,
    responses((status = 201, body = FollowUpResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid field, named in `error.field`")))]
pub async fn create_follow_up(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<FollowUpRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let mut errors = Vec::new();
    let ratings: Vec<(String, i64)> = req
        .asi_ratings
        .iter()
        .filter_map(|(k, v)| match v.as_i64() {
            Some(n) => Some((k.clone(), n)),
            None => {
                errors.push(FieldError::new(
                    format!("asi_ratings.{k}"),
                    "not_a_number",
                    Msg::new("Ange ett heltal 0–9.", "Give a whole number 0–9."),
                ));
                None
            }
        })
        .collect();
    let today = vaka_domain::time::local_date(vaka_store::now());
    let parsed = FollowUpRecord::parse(
        &FollowUpInput {
            timepoint: req.timepoint.as_deref(),
            status: req.status.as_deref(),
            done_on: req.done_on.as_deref(),
            missed_reason: req.missed_reason.as_deref(),
            days_alcohol_30: req.days_alcohol_30,
            days_drugs_30: req.days_drugs_30,
            housing: req.housing.as_deref(),
            occupation: req.occupation.as_deref(),
            crime_30: req.crime_30,
            self_rated_health: req.self_rated_health,
            quality_of_life: req.quality_of_life,
            problematic_use: req.problematic_use,
            asi_ratings: &ratings,
        },
        today,
    );
    let rec = match parsed {
        Ok(rec) if errors.is_empty() => rec,
        Ok(_) => return Err(errors.into()),
        Err(mut e) => {
            e.extend(errors);
            return Err(e.into());
        }
    };
    let detail = format!("POST /api/v1/clients/{}/follow-ups", client.0);
    let stored = save_follow_up(&st, &actor, client, &rec, detail).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/clients/{}/follow-ups", client.0),
        )],
        Json(follow_up_response(stored)),
    ))
}

/// A client's follow-ups by due day: due, done and missed (a missed one always stays listed).
#[utoipa::path(get, path = "/api/v1/clients/{id}/follow-ups", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = FollowUpList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_follow_ups(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<FollowUpList>, ApiError> {
    let client = ClientId(path_id(&raw)?);
    let mut entry = actor.audit(
        AuditAction::FollowUpRead,
        Some(client),
        format!("GET /api/v1/clients/{}/follow-ups", client.0),
    );
    let mut tx = authorised_read(&st, &actor, client, Action::ReadClient, &mut entry).await?;
    let list = outcomes::follow_ups_for(&mut tx, client).await?;
    tx.audit(entry);
    tx.commit().await?;
    Ok(Json(FollowUpList {
        items: list.into_iter().map(follow_up_response).collect(),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OptionDoc {
    pub points: u8,
    pub sv: String,
    pub en: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemDoc {
    pub number: u8,
    pub sv: String,
    pub en: String,
    pub options: Vec<OptionDoc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InstrumentDoc {
    pub instrument: String,
    pub items: Vec<ItemDoc>,
}

/// The items of AUDIT or DUDIT with their answer options and points (no personal data).
#[utoipa::path(get, path = "/api/v1/instruments/{instrument}", tag = "assessments", params(("instrument" = String, Path, description = "AUDIT or DUDIT")),
    responses((status = 200, body = InstrumentDoc), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_instrument(
    ApiActor(_actor): ApiActor,
    Path(raw): Path<String>,
) -> Result<Json<InstrumentDoc>, ApiError> {
    let instrument: Instrument = raw
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| ApiError::NotFound)?;
    Ok(Json(InstrumentDoc {
        instrument: instrument.as_str().to_owned(),
        items: items::items(instrument)
            .iter()
            .map(|i| ItemDoc {
                number: i.number,
                sv: i.sv.to_owned(),
                en: i.en.to_owned(),
                options: i
                    .options
                    .iter()
                    .map(|o| OptionDoc {
                        points: o.points,
                        sv: o.sv.to_owned(),
                        en: o.en.to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
