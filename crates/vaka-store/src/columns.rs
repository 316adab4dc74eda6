//! Each table's columns, named in the queries instead of `*`.
//!
//! A connection that last read the schema before a migration (in this process or another) expands
//! `*` with the old columns when it prepares; SQLite then re-prepares the statement with the new
//! ones when it runs, and sqlx-sqlite, which keeps the column list of the first preparation, reads
//! past its end and panics. A named list has the same columns either way.

/// `cols!(alerts)` is the table's column list; `cols!(alerts, "a.")` the same with each name
/// qualified by an alias. A `&'static str`, for `concat!`.
macro_rules! cols {
    (alerts $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, rule, severity, explanation,
        cause_key, status, assigned_to, created_at, acknowledged_at, acknowledged_by, resolved_at,
        resolved_by, resolution_note, escalated) };
    (applications $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, intervention,
        description, received_on, created_at, created_by) };
    (assessments $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, instrument, answers, total,
        administered_on, administered_by, created_at, audit_c, zone, cutoff, cutoff_basis,
        above_cutoff, profile) };
    (audit_log $(, $p:literal)?) => { cols!(@[$($p)?] id, logged_at, user_id, username, role,
        client_id, case_id, action, detail, emergency_reason, address, prev_hash, hash, client_ids) };
    (cases $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, unit_id, status, origin, opened_on,
        closed_on, created_at, closure_reason, closure_note) };
    (clients $(, $p:literal)?) => { cols!(@[$($p)?] id, municipality_id, unit_id, personal_number,
        number_kind, given_name, family_name, birth_date, sex, protection, address, phone,
        created_at, created_by) };
    (contacts $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, author_id, occurred_at,
        kind, substance_use, substances, well_being, sleep, housing, note, status, signed_at,
        corrects_id, created_at, updated_at, risks, plan_goal_id) };
    (contact_objections $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, contact_id,
        statement, received_on, recorded_by, created_at) };
    (plan_goals $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, life_area, goal,
        actions, follow_up_on, created_by, created_at) };
    (plan_goal_reviews $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, goal_id, status,
        reviewed_on, note, next_follow_up_on, reviewed_by, created_at) };
    (contracts $(, $p:literal)?) => { cols!(@[$($p)?] id, provider_id, reference, valid_from,
        valid_to, required_educated_staff_pct, sobriety_policy, reports_results, methods,
        created_at) };
    (decisions $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, intervention, outcome,
        period_start, period_end, provider_id, reasons, legal_basis, application_id,
        recommendation_id, departure_from_application, departure_from_recommendation, decided_on,
        decided_by, notified_on, appeal_received_on, appeal_outcome, created_at,
        departs_from_application, departs_from_recommendation, appeal_decided_on, communicated_on,
        communication_method, client_response, communication_omitted_reason) };
    (follow_ups $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, placement_id, timepoint,
        due_on, status, done_on, missed_reason, days_alcohol_30, days_drugs_30, housing, occupation,
        crime_30, self_rated_health, quality_of_life, asi_ratings, created_at, problematic_use,
        recorded_by) };
    (housing_queue $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, kind, added_on, removed_on,
        removal_reason, created_at, created_by) };
    (housing_units $(, $p:literal)?) => { cols!(@[$($p)?] id, municipality_id, kind, label, address,
        sobriety_required, monthly_cost_ore, active, contract_months) };
    (invoice_imports $(, $p:literal)?) => { cols!(@[$($p)?] id, municipality_id, imported_at,
        imported_by, filename, row_count, matched, mismatches) };
    (placements $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, decision_id,
        intervention, provider_id, housing_unit_id, start_date, end_date, daily_price_ore,
        price_reason, end_reason, created_at, created_by, ended_at) };
    (provider_inspections $(, $p:literal)?) => { cols!(@[$($p)?] id, provider_id, inspected_on,
        educated_staff_pct, methods, sobriety_policy, reports_results, note, created_at,
        created_by) };
    (providers $(, $p:literal)?) => { cols!(@[$($p)?] id, municipality_id, name,
        organisation_number, internal, created_at, created_by) };
    (recommendations $(, $p:literal)?) => { cols!(@[$($p)?] id, client_id, case_id, intervention,
        profession, recommender_name, recommended_on, document_ref, created_at, created_by) };
    (sessions $(, $p:literal)?) => { cols!(@[$($p)?] id, token_hash, user_id, csrf_token,
        created_at, last_seen_at, expires_at) };
    (@[] $first:ident $(, $c:ident)*) => {
        concat!(stringify!($first) $(, ", ", stringify!($c))*)
    };
    (@[$p:literal] $first:ident $(, $c:ident)*) => {
        concat!($p, stringify!($first) $(, ", ", $p, stringify!($c))*)
    };
}

#[cfg(test)]
mod tests {
    /// No query in this crate selects `*` (or `alias.*`): each names its columns with `cols!`.
    #[test]
    fn no_query_selects_star() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                for (i, _) in line.match_indices("SELECT ") {
                    let next = line[i + 7..].split([' ', ',']).next().unwrap_or_default();
                    if next == "*" || next.ends_with(".*") {
                        found.push(format!("{}:{}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "queries selecting *: {found:?}");
    }

    #[test]
    fn a_list_is_comma_separated_and_qualified_on_request() {
        assert_eq!(
            cols!(sessions),
            "id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at"
        );
        assert_eq!(
            cols!(providers, "p."),
            "p.id, p.municipality_id, p.name, p.organisation_number, p.internal, p.created_at, p.created_by"
        );
    }
}
