//! The early-warning rules that look at a client's journal: relapse, lapse, well-being dropping or
//! low, no contact for too long, repeated no-shows, housing lost, a risk reported (overdose, suicide
//! risk, violence, a risk of losing the home). Pure: the facts come in, the alerts
//! that should be open come out, each with a cause key so that one cause never has two open alerts.
//!
//! Only signed entries count: a draft is not yet a report.

use chrono::{DateTime, Duration, Utc};

use super::{AlertRule, Severity};
use crate::contact::{ContactKind, EntryStatus, Housing, Risk, SubstanceUse};
use crate::intervention::Intervention;

pub use super::settings::AlertSettings;

/// One journal entry, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFact {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    pub substance_use: SubstanceUse,
    pub well_being: Option<u8>,
    pub housing: Housing,
    pub risks: Vec<Risk>,
    pub status: EntryStatus,
    /// The signed entry this one corrects.
    pub corrects: Option<i64>,
}

/// A risk in an entry written up to this many days after the contact still alerts; an older
/// contact written down late is shown in the journal only.
pub const RISK_LOOKBACK_DAYS: i64 = 14;

/// The rule, severity and Swedish wording of each risk's alert (the unit acts the same day on the
/// first three).
pub fn risk_rule(r: Risk) -> (AlertRule, Severity, &'static str) {
    match r {
        Risk::Overdose => (
            AlertRule::OverdoseReported,
            Severity::High,
            "Överdos rapporterad",
        ),
        Risk::SuicideRisk => (
            AlertRule::SuicideRiskReported,
            Severity::High,
            "Suicidrisk rapporterad",
        ),
        Risk::Violence => (
            AlertRule::ViolenceReported,
            Severity::High,
            "Våld rapporterat",
        ),
        Risk::EvictionRisk => (
            AlertRule::EvictionRiskReported,
            Severity::Medium,
            "Risk att mista bostaden rapporterad",
        ),
    }
}

/// An alert that should be open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub rule: AlertRule,
    pub severity: Severity,
    /// Which data the rule fired on, in Swedish (the UI's first language).
    pub explanation: String,
    pub cause_key: String,
}

fn reached(k: ContactKind) -> bool {
    !matches!(k, ContactKind::Attempted | ContactKind::NoShow)
}

/// The alerts the journal calls for at `now`. `entries` may come in any order.
pub fn evaluate(
    entries: &[EntryFact],
    intervention: Option<Intervention>,
    contact_interval_days: Option<u32>,
    now: DateTime<Utc>,
    s: &AlertSettings,
) -> Vec<Candidate> {
    let mut signed: Vec<&EntryFact> = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Signed && e.occurred_at <= now)
        .collect();
    signed.sort_by_key(|e| (e.occurred_at, e.id));
    let mut out = Vec::new();
    // With no signed contact at all there is nothing to judge here; a case opened without any contact
    // is the caller's fact (the case's opening date), not the journal's.
    let Some(latest) = signed.last().copied() else {
        return out;
    };
    let when = crate::time::local_minute(latest.occurred_at);
    match latest.substance_use {
        SubstanceUse::Relapse => out.push(Candidate {
            rule: AlertRule::RelapseReported,
            severity: Severity::High,
            explanation: format!("Återfall rapporterat i kontakten {when}."),
            cause_key: format!("relapse_reported:contact:{}", latest.id),
        }),
        SubstanceUse::Lapse => out.push(Candidate {
            rule: AlertRule::LapseReported,
            severity: Severity::Medium,
            explanation: format!("Snedsteg rapporterat i kontakten {when}."),
            cause_key: format!("lapse_reported:contact:{}", latest.id),
        }),
        _ => {}
    }
    if let Some(w) = latest.well_being {
        if w <= s.well_being_low {
            out.push(Candidate {
                rule: AlertRule::WellBeingLow,
                severity: Severity::High,
                explanation: format!(
                    "Mående {w}/10 i kontakten {when} (gräns {}).",
                    s.well_being_low
                ),
                cause_key: format!("well_being_low:contact:{}", latest.id),
            });
        }
        let since = latest.occurred_at - Duration::days(s.baseline_days);
        let earlier: Vec<u32> = signed
            .iter()
            .filter(|e| e.id != latest.id && e.occurred_at >= since)
            .filter_map(|e| e.well_being.map(u32::from))
            .collect();
        if !earlier.is_empty() {
            let n = u32::try_from(earlier.len()).unwrap_or(u32::MAX);
            let total: u32 = earlier.iter().sum();
            // Drop of at least N points below the average: w <= avg - N, i.e. (w + N) * n <= total.
            if (u32::from(w) + u32::from(s.well_being_drop)) * n <= total {
                let avg = f64::from(total) / f64::from(n);
                out.push(Candidate {
                    rule: AlertRule::WellBeingDrop,
                    severity: Severity::Medium,
                    explanation: format!(
                        "Mående {w}/10 i kontakten {when}, mot eget snitt {avg:.1} de senaste {} dagarna.",
                        s.baseline_days
                    ),
                    cause_key: format!("well_being_drop:contact:{}", latest.id),
                });
            }
        }
    }
    let tail: Vec<&&EntryFact> = signed.iter().rev().take(s.no_shows_in_a_row).collect();
    if s.no_shows_in_a_row > 0
        && tail.len() == s.no_shows_in_a_row
        && tail.iter().all(|e| e.kind == ContactKind::NoShow)
    {
        out.push(Candidate {
            rule: AlertRule::RepeatedNoShow,
            severity: Severity::Medium,
            explanation: format!(
                "{} uteblivna besök i rad, senast {when}.",
                s.no_shows_in_a_row
            ),
            cause_key: format!("repeated_no_show:contact:{}", latest.id),
        });
    }
    if latest.housing == Housing::Homeless {
        let before = signed
            .iter()
            .rev()
            .skip(1)
            .find(|e| e.housing != Housing::Unknown);
        if before.is_some_and(|b| b.housing != Housing::Homeless) {
            out.push(Candidate {
                rule: AlertRule::HousingLost,
                severity: Severity::High,
                explanation: format!("Bostadslös enligt kontakten {when}; hade boende tidigare."),
                cause_key: format!("housing_lost:contact:{}", latest.id),
            });
        }
    }
    // Every recent entry's risks, not only the latest one's: a risk told of in one contact must not
    // be hidden by the next entry. An entry that was corrected counts no more (its correction says
    // what holds), and a correction's risk is the same cause as its original's, so correcting the
    // note of an overdose entry does not alert twice.
    let risk_since = now - Duration::days(RISK_LOOKBACK_DAYS);
    let corrected: std::collections::HashSet<i64> =
        signed.iter().filter_map(|e| e.corrects).collect();
    let original = |e: &EntryFact| {
        let mut id = e.id;
        let mut next = e.corrects;
        // A chain of corrections leads back to the first entry (bounded, in case of a cycle).
        for _ in 0..signed.len() {
            let Some(c) = next else { break };
            id = c;
            next = signed.iter().find(|x| x.id == c).and_then(|x| x.corrects);
        }
        id
    };
    for e in signed
        .iter()
        .filter(|e| e.occurred_at >= risk_since && !corrected.contains(&e.id))
    {
        let root = original(e);
        for r in &e.risks {
            let (rule, severity, what) = risk_rule(*r);
            out.push(Candidate {
                rule,
                severity,
                explanation: format!(
                    "{what} i kontakten {}.",
                    crate::time::local_minute(e.occurred_at)
                ),
                cause_key: format!("{}:contact:{root}", rule.as_str()),
            });
        }
    }
    let interval =
        contact_interval_days.or_else(|| intervention.and_then(|i| s.contact_interval(i)));
    if let (Some(days), Some(last)) = (interval, signed.iter().rev().find(|e| reached(e.kind)))
        && now - last.occurred_at > Duration::days(i64::from(days))
    {
        out.push(Candidate {
            rule: AlertRule::NoContact,
            severity: Severity::Medium,
            explanation: format!(
                "Ingen kontakt sedan {} (mer än {days} dagar).",
                crate::time::local_minute(last.occurred_at)
            ),
            cause_key: format!("no_contact:since_contact:{}", last.id),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn e(id: i64, at: DateTime<Utc>, use_: SubstanceUse, w: Option<u8>) -> EntryFact {
        EntryFact {
            id,
            occurred_at: at,
            kind: ContactKind::Meeting,
            substance_use: use_,
            well_being: w,
            housing: Housing::Own,
            risks: vec![],
            status: EntryStatus::Signed,
            corrects: None,
        }
    }

    fn rules(c: &[Candidate]) -> Vec<AlertRule> {
        c.iter().map(|x| x.rule).collect()
    }

    const NONE: SubstanceUse = SubstanceUse::None;

    #[test]
    fn a_good_day_raises_nothing() {
        let entries = [
            e(1, t(20, 10), NONE, Some(7)),
            e(2, t(21, 10), NONE, Some(7)),
        ];
        assert!(
            evaluate(
                &entries,
                Some(Intervention::CaseManagement),
                None,
                t(21, 12),
                &AlertSettings::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn a_relapse_and_a_lapse_fire_with_their_severity_and_a_cause_per_entry() {
        let s = AlertSettings::default();
        let r = evaluate(
            &[e(5, t(21, 10), SubstanceUse::Relapse, None)],
            None,
            None,
            t(21, 12),
            &s,
        );
        assert_eq!(
            (r[0].rule, r[0].severity, r[0].cause_key.as_str()),
            (
                AlertRule::RelapseReported,
                Severity::High,
                "relapse_reported:contact:5"
            )
        );
        let l = evaluate(
            &[e(6, t(21, 10), SubstanceUse::Lapse, None)],
            None,
            None,
            t(21, 12),
            &s,
        );
        assert_eq!(
            (l[0].rule, l[0].severity),
            (AlertRule::LapseReported, Severity::Medium)
        );
    }

    #[test]
    fn drafts_and_entries_dated_in_the_future_do_not_count() {
        let mut draft = e(1, t(21, 10), SubstanceUse::Relapse, Some(1));
        draft.status = EntryStatus::Draft;
        assert!(evaluate(&[draft], None, None, t(21, 12), &AlertSettings::default()).is_empty());
        assert!(
            evaluate(
                &[e(2, t(22, 10), SubstanceUse::Relapse, None)],
                None,
                None,
                t(21, 12),
                &AlertSettings::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn low_well_being_fires_at_three_not_at_four() {
        let s = AlertSettings::default();
        assert_eq!(
            rules(&evaluate(
                &[e(1, t(21, 10), NONE, Some(3))],
                None,
                None,
                t(21, 12),
                &s
            )),
            [AlertRule::WellBeingLow]
        );
        assert!(evaluate(&[e(1, t(21, 10), NONE, Some(4))], None, None, t(21, 12), &s).is_empty());
    }

    #[test]
    fn a_drop_of_three_below_the_own_14_day_average_fires_and_two_does_not() {
        let s = AlertSettings::default();
        let base = [
            e(1, t(10, 10), NONE, Some(8)),
            e(2, t(15, 10), NONE, Some(7)),
        ]; // average 7.5
        let mut three = base.to_vec();
        three.push(e(3, t(20, 10), NONE, Some(4))); // 7.5 - 3 = 4.5 → 4 is a drop
        assert_eq!(
            rules(&evaluate(&three, None, None, t(20, 12), &s)),
            [AlertRule::WellBeingDrop]
        );
        let mut two = base.to_vec();
        two.push(e(3, t(20, 10), NONE, Some(5))); // 5 > 4.5
        assert!(evaluate(&two, None, None, t(20, 12), &s).is_empty());
        // Exactly three below: average 8, value 5.
        let exact = [
            e(1, t(15, 10), NONE, Some(8)),
            e(2, t(20, 10), NONE, Some(5)),
        ];
        assert_eq!(
            rules(&evaluate(&exact, None, None, t(20, 12), &s)),
            [AlertRule::WellBeingDrop]
        );
        // Older than 14 days does not count toward the average.
        let old = [
            e(1, t(1, 10), NONE, Some(9)),
            e(2, t(20, 10), NONE, Some(5)),
        ];
        assert!(evaluate(&old, None, None, t(20, 12), &s).is_empty());
    }

    #[test]
    fn two_no_shows_in_a_row_fire_and_one_does_not() {
        let s = AlertSettings::default();
        let mut a = e(1, t(19, 10), NONE, None);
        a.kind = ContactKind::NoShow;
        let mut b = e(2, t(20, 10), NONE, None);
        b.kind = ContactKind::NoShow;
        let fired = evaluate(
            &[e(0, t(18, 10), NONE, Some(6)), a.clone(), b],
            Some(Intervention::Outpatient),
            None,
            t(20, 12),
            &s,
        );
        assert_eq!(rules(&fired), [AlertRule::RepeatedNoShow]);
        assert!(
            evaluate(
                &[e(0, t(18, 10), NONE, Some(6)), a],
                Some(Intervention::Outpatient),
                None,
                t(20, 12),
                &s
            )
            .is_empty()
        );
    }

    #[test]
    fn losing_housing_fires_but_staying_homeless_does_not() {
        let s = AlertSettings::default();
        let mut homeless = e(2, t(20, 10), NONE, Some(6));
        homeless.housing = Housing::Homeless;
        assert_eq!(
            rules(&evaluate(
                &[e(1, t(19, 10), NONE, Some(6)), homeless.clone()],
                None,
                None,
                t(20, 12),
                &s
            )),
            [AlertRule::HousingLost]
        );
        let mut before = homeless.clone();
        before.id = 1;
        before.occurred_at = t(19, 10);
        assert!(evaluate(&[before, homeless], None, None, t(20, 12), &s).is_empty());
    }

    #[test]
    fn no_contact_fires_after_the_interventions_interval_and_not_before() {
        let s = AlertSettings::default();
        let entries = [e(1, t(18, 10), NONE, Some(6))];
        // Case management: two days. Exactly two days later is still on time.
        assert!(
            evaluate(
                &entries,
                Some(Intervention::CaseManagement),
                None,
                t(20, 10),
                &s
            )
            .is_empty()
        );
        let late = evaluate(
            &entries,
            Some(Intervention::CaseManagement),
            None,
            t(20, 11),
            &s,
        );
        assert_eq!(
            (late[0].rule, late[0].cause_key.as_str()),
            (AlertRule::NoContact, "no_contact:since_contact:1")
        );
        // A municipality's own interval wins; attempts do not count as contact.
        let mut attempt = e(2, t(21, 10), NONE, None);
        attempt.kind = ContactKind::Attempted;
        let both = [entries[0].clone(), attempt];
        assert!(
            evaluate(
                &both,
                Some(Intervention::CaseManagement),
                Some(7),
                t(25, 10),
                &s
            )
            .is_empty()
        );
        let r = evaluate(
            &both,
            Some(Intervention::CaseManagement),
            Some(7),
            t(25, 11),
            &s,
        );
        assert_eq!(
            (r[0].rule, r[0].cause_key.as_str()),
            (AlertRule::NoContact, "no_contact:since_contact:1")
        );
        // Without an intervention there is no interval to miss.
        assert!(evaluate(&entries, None, None, t(30, 10), &s).is_empty());
    }

    fn risky(id: i64, at: DateTime<Utc>, risks: &[Risk]) -> EntryFact {
        EntryFact {
            risks: risks.to_vec(),
            ..e(id, at, NONE, Some(6))
        }
    }

    #[test]
    fn each_risk_fires_its_own_rule_with_its_severity() {
        let r = evaluate(
            &[risky(
                9,
                t(21, 10),
                &[
                    Risk::Overdose,
                    Risk::SuicideRisk,
                    Risk::Violence,
                    Risk::EvictionRisk,
                ],
            )],
            None,
            None,
            t(21, 12),
            &AlertSettings::default(),
        );
        let got: Vec<(AlertRule, Severity, &str)> = r
            .iter()
            .map(|c| (c.rule, c.severity, c.cause_key.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    AlertRule::OverdoseReported,
                    Severity::High,
                    "overdose_reported:contact:9"
                ),
                (
                    AlertRule::SuicideRiskReported,
                    Severity::High,
                    "suicide_risk_reported:contact:9"
                ),
                (
                    AlertRule::ViolenceReported,
                    Severity::High,
                    "violence_reported:contact:9"
                ),
                (
                    AlertRule::EvictionRiskReported,
                    Severity::Medium,
                    "eviction_risk_reported:contact:9"
                ),
            ]
        );
        assert!(
            r[0].explanation
                .starts_with("Överdos rapporterad i kontakten ")
        );
        assert!(
            r[2].explanation
                .starts_with("Våld rapporterat i kontakten ")
        );
    }

    #[test]
    fn a_risk_is_not_hidden_by_a_later_entry_and_stops_alerting_after_14_days() {
        let s = AlertSettings::default();
        let entries = [
            risky(1, t(16, 10), &[Risk::Overdose]),
            e(2, t(20, 10), NONE, Some(7)),
        ];
        // Exactly 14 days after the contact it still alerts; a minute later it does not.
        let r = evaluate(&entries, None, None, t(30, 10), &s);
        assert_eq!(rules(&r), [AlertRule::OverdoseReported]);
        assert_eq!(r[0].cause_key, "overdose_reported:contact:1");
        let later = t(30, 10) + Duration::minutes(1);
        assert!(evaluate(&entries, None, None, later, &s).is_empty());
        // A draft is not yet a report.
        let mut draft = risky(3, t(21, 10), &[Risk::SuicideRisk]);
        draft.status = EntryStatus::Draft;
        assert!(evaluate(&[draft], None, None, t(21, 12), &s).is_empty());
    }

    #[test]
    fn a_correction_keeps_its_originals_risk_cause_and_a_corrected_entry_counts_no_more() {
        let s = AlertSettings::default();
        let original = risky(1, t(21, 10), &[Risk::Overdose]);
        let mut same = risky(2, t(21, 10), &[Risk::Overdose, Risk::Violence]);
        same.corrects = Some(1);
        let r = evaluate(&[original.clone(), same.clone()], None, None, t(21, 12), &s);
        let keys: Vec<&str> = r.iter().map(|c| c.cause_key.as_str()).collect();
        assert_eq!(
            keys,
            ["overdose_reported:contact:1", "violence_reported:contact:1"]
        );
        // A correction of the correction still leads back to the first entry.
        let mut again = risky(3, t(21, 10), &[Risk::Violence]);
        again.corrects = Some(2);
        let r = evaluate(&[original.clone(), same, again], None, None, t(21, 12), &s);
        let keys: Vec<&str> = r.iter().map(|c| c.cause_key.as_str()).collect();
        assert_eq!(keys, ["violence_reported:contact:1"]);
        // A correction that takes the risk back raises nothing new.
        let mut wrong = e(4, t(21, 10), NONE, Some(6));
        wrong.corrects = Some(1);
        assert!(evaluate(&[original, wrong], None, None, t(21, 12), &s).is_empty());
    }

    proptest::proptest! {
        /// Every risk of every signed entry of the last 14 days, and nothing else, raises one alert
        /// with a cause of its own.
        #[test]
        fn risk_alerts_are_exactly_the_recent_signed_risks(
            raw in proptest::collection::vec(
                (0i64..40 * 24, proptest::bool::ANY, proptest::collection::vec(0usize..4, 0..4)),
                0..12,
            )
        ) {
            let now = t(30, 12);
            let entries: Vec<EntryFact> = raw
                .iter()
                .enumerate()
                .map(|(i, (hours_ago, signed, rs))| {
                    let mut risks: Vec<Risk> = Vec::new();
                    for r in rs {
                        if !risks.contains(&Risk::ALL[*r]) {
                            risks.push(Risk::ALL[*r]);
                        }
                    }
                    let mut x = risky(i64::try_from(i).unwrap() + 1, now - Duration::hours(*hours_ago), &risks);
                    if !signed {
                        x.status = EntryStatus::Draft;
                    }
                    x
                })
                .collect();
            let got: Vec<String> = evaluate(&entries, None, None, now, &AlertSettings::default())
                .into_iter()
                .filter(|c| c.cause_key.contains("_reported:") && !c.cause_key.starts_with("relapse") && !c.cause_key.starts_with("lapse"))
                .map(|c| c.cause_key)
                .collect();
            let mut want: Vec<String> = entries
                .iter()
                .filter(|x| x.status == EntryStatus::Signed && x.occurred_at >= now - Duration::days(RISK_LOOKBACK_DAYS))
                .flat_map(|x| x.risks.iter().map(move |r| format!("{}:contact:{}", risk_rule(*r).0.as_str(), x.id)))
                .collect();
            let mut got_sorted = got.clone();
            got_sorted.sort();
            want.sort();
            proptest::prop_assert_eq!(&got_sorted, &want);
            got_sorted.dedup();
            proptest::prop_assert_eq!(got_sorted.len(), got.len());
        }
    }
}
