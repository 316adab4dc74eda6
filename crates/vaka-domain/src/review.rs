//! Log review: which access-log entries are worth an auditor's look, and why.
//!
//! The rules: emergency access; any access to a client with a protected identity; an attempt
//! outside one's rights; many different clients opened in a short time; access at night (Swedish
//! time). Lists (a caseload view shows many clients at once) do not count toward "many clients".

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Europe::Stockholm;

use crate::audit::AuditAction;
use crate::string_enum;

string_enum! {
    /// Why an entry is worth a look. The names are a contract (API).
    pub enum Flag {
        EmergencyAccess = "emergency_access",
        ProtectedIdentity = "protected_identity",
        OutsideRights = "outside_rights",
        ManyClients = "many_clients",
        Night = "night",
    }
}

/// Review settings (per municipality).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewSettings {
    /// More than this many different clients opened by one user ...
    pub burst_clients: usize,
    /// ... within this long is "many clients".
    pub burst_window: Duration,
    /// Night is from this hour (Swedish time) ...
    pub night_from_hour: u32,
    /// ... until this hour.
    pub night_to_hour: u32,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            burst_clients: 15,
            burst_window: Duration::minutes(10),
            night_from_hour: 22,
            night_to_hour: 6,
        }
    }
}

/// What the rules need to know about one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFact {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub client: Option<i64>,
    /// A list view that showed clients (the caseload): it touches them as `client` does, for
    /// every rule but "many clients", which counts records opened.
    pub lists_clients: bool,
    pub action: Option<AuditAction>,
    pub emergency: bool,
    /// The client, or one of the listed clients, has a protected identity.
    pub protected_client: bool,
}

impl AccessFact {
    fn touches_a_client(&self) -> bool {
        self.client.is_some() || self.lists_clients
    }
}

/// Opening one record, as opposed to seeing it in a list.
fn opens_a_record(a: Option<AuditAction>) -> bool {
    matches!(
        a,
        Some(AuditAction::ClientRead | AuditAction::CaseRead | AuditAction::ContactRead)
    )
}

fn at_night(at: DateTime<Utc>, s: &ReviewSettings) -> bool {
    let hour = at.with_timezone(&Stockholm).hour();
    if s.night_from_hour > s.night_to_hour {
        hour >= s.night_from_hour || hour < s.night_to_hour
    } else {
        hour >= s.night_from_hour && hour < s.night_to_hour
    }
}

/// The flags of every entry that has any, by entry id.
pub fn flag(facts: &[AccessFact], s: &ReviewSettings) -> BTreeMap<i64, Vec<Flag>> {
    let mut out: BTreeMap<i64, Vec<Flag>> = BTreeMap::new();
    let mut add = |id: i64, f: Flag| {
        let v = out.entry(id).or_default();
        if !v.contains(&f) {
            v.push(f);
        }
    };
    for f in facts.iter().filter(|f| f.touches_a_client()) {
        if f.emergency || f.action == Some(AuditAction::EmergencyAccess) {
            add(f.id, Flag::EmergencyAccess);
        }
        if f.protected_client {
            add(f.id, Flag::ProtectedIdentity);
        }
        if f.action == Some(AuditAction::AccessDenied) {
            add(f.id, Flag::OutsideRights);
        }
        if at_night(f.at, s) {
            add(f.id, Flag::Night);
        }
    }
    // Many clients: a sliding window over each user's record openings, in time order.
    let mut by_user: HashMap<&str, Vec<&AccessFact>> = HashMap::new();
    for f in facts
        .iter()
        .filter(|f| f.client.is_some() && opens_a_record(f.action))
    {
        by_user.entry(f.username.as_str()).or_default().push(f);
    }
    for list in by_user.values_mut() {
        list.sort_by_key(|f| (f.at, f.id));
        let mut window: VecDeque<&AccessFact> = VecDeque::new();
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for f in list.iter() {
            window.push_back(f);
            *counts.entry(f.client.unwrap_or_default()).or_default() += 1;
            while let Some(first) = window.front() {
                if f.at - first.at <= s.burst_window {
                    break;
                }
                let c = first.client.unwrap_or_default();
                if let Some(n) = counts.get_mut(&c) {
                    *n -= 1;
                    if *n == 0 {
                        counts.remove(&c);
                    }
                }
                window.pop_front();
            }
            if counts.len() > s.burst_clients {
                for w in &window {
                    add(w.id, Flag::ManyClients);
                }
            }
        }
    }
    out
}

/// A stretch of time, both ends included.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Where to look for the neighbours of some entries (who, when): per user, the times within
/// `window` of each entry, overlapping stretches merged, in time order. A search narrowed to one
/// client reads these so that "many clients" still sees the user's other openings.
pub fn neighbourhoods<'a>(
    entries: impl IntoIterator<Item = (&'a str, DateTime<Utc>)>,
    window: Duration,
) -> BTreeMap<&'a str, Vec<Span>> {
    let mut spans: BTreeMap<&str, Vec<Span>> = BTreeMap::new();
    for (user, at) in entries {
        spans
            .entry(user)
            .or_default()
            .push((at - window, at + window));
    }
    for list in spans.values_mut() {
        list.sort();
        let mut merged: Vec<Span> = Vec::with_capacity(list.len());
        for &(from, to) in list.iter() {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        *list = merged;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn neighbourhoods_merge_overlapping_stretches_per_user() {
        let t = |m: i64| Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap() + Duration::minutes(m);
        let w = Duration::minutes(10);
        let got = neighbourhoods([("a", t(30)), ("b", t(0)), ("a", t(0)), ("a", t(15))], w);
        // a: 0 and 15 overlap (-10..25 and 5..25), 30 starts at 20 so it joins too; b stands alone.
        assert_eq!(got["a"], [(t(-10), t(40))]);
        assert_eq!(got["b"], [(t(-10), t(10))]);
        let apart = neighbourhoods([("a", t(0)), ("a", t(21))], w);
        assert_eq!(apart["a"], [(t(-10), t(10)), (t(11), t(31))]);
        // Touching ends merge: both ends are included.
        let touching = neighbourhoods([("a", t(0)), ("a", t(20))], w);
        assert_eq!(touching["a"], [(t(-10), t(30))]);
        assert!(neighbourhoods([], w).is_empty());
    }

    fn fact(
        id: i64,
        at: DateTime<Utc>,
        user: &str,
        client: i64,
        action: AuditAction,
    ) -> AccessFact {
        AccessFact {
            id,
            at,
            username: user.into(),
            client: Some(client),
            lists_clients: false,
            action: Some(action),
            emergency: false,
            protected_client: false,
        }
    }

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 11, 0, 0).unwrap()
    }

    #[test]
    fn an_ordinary_daytime_read_is_not_flagged() {
        let flags = flag(
            &[fact(1, noon(), "anna", 7, AuditAction::ClientRead)],
            &ReviewSettings::default(),
        );
        assert!(flags.is_empty());
    }

    #[test]
    fn emergency_protected_and_refused_accesses_are_flagged() {
        let mut e = fact(1, noon(), "anna", 7, AuditAction::ClientRead);
        e.emergency = true;
        let mut p = fact(2, noon(), "anna", 8, AuditAction::ClientRead);
        p.protected_client = true;
        let d = fact(3, noon(), "anna", 9, AuditAction::AccessDenied);
        let g = fact(4, noon(), "anna", 9, AuditAction::EmergencyAccess);
        let flags = flag(&[e, p, d, g], &ReviewSettings::default());
        assert_eq!(flags[&1], [Flag::EmergencyAccess]);
        assert_eq!(flags[&2], [Flag::ProtectedIdentity]);
        assert_eq!(flags[&3], [Flag::OutsideRights]);
        assert_eq!(flags[&4], [Flag::EmergencyAccess]);
    }

    #[test]
    fn a_list_view_is_flagged_for_a_protected_client_or_the_night_but_opens_no_records() {
        let list = |id, at, protected| AccessFact {
            id,
            at,
            username: "anna".into(),
            client: None,
            lists_clients: true,
            action: Some(AuditAction::CaseloadRead),
            emergency: false,
            protected_client: protected,
        };
        let night = Utc.with_ymd_and_hms(2026, 3, 10, 23, 30, 0).unwrap();
        let flags = flag(
            &[
                list(1, noon(), false),
                list(2, noon(), true),
                list(3, night, false),
            ],
            &ReviewSettings::default(),
        );
        assert!(!flags.contains_key(&1));
        assert_eq!(flags[&2], [Flag::ProtectedIdentity]);
        assert_eq!(flags[&3], [Flag::Night]);
        // An entry about no client at all (a report) is not judged.
        let mut report = list(4, night, false);
        report.lists_clients = false;
        report.action = Some(AuditAction::MeasuresRead);
        assert!(flag(&[report], &ReviewSettings::default()).is_empty());
        // Many list views in a burst are not "many clients": lists are not openings.
        let burst: Vec<_> = (0..20).map(|i| list(10 + i, noon(), false)).collect();
        assert!(flag(&burst, &ReviewSettings::default()).is_empty());
    }

    #[test]
    fn night_is_judged_in_swedish_time_at_its_boundaries() {
        let s = ReviewSettings::default();
        // Winter: UTC+1. 21:59 local is day, 22:00 night, 05:59 night, 06:00 day.
        let local = |h, m| Utc.with_ymd_and_hms(2026, 1, 15, h, m, 0).unwrap() - Duration::hours(1);
        assert!(!at_night(local(21, 59), &s));
        assert!(at_night(local(22, 0), &s));
        assert!(at_night(local(5, 59), &s));
        assert!(!at_night(local(6, 0), &s));
        // Summer: UTC+2.
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 20, 30, 0).unwrap(); // 22:30 local
        assert!(at_night(summer, &s));
    }

    #[test]
    fn many_different_clients_in_a_short_time_are_flagged_but_lists_and_repeats_are_not() {
        let s = ReviewSettings {
            burst_clients: 3,
            burst_window: Duration::minutes(10),
            ..ReviewSettings::default()
        };
        let t = |min| noon() + Duration::minutes(min);
        // Three different clients: not more than the threshold.
        let three: Vec<_> = (0..3)
            .map(|i| fact(i, t(i), "anna", i, AuditAction::ClientRead))
            .collect();
        assert!(flag(&three, &s).is_empty());
        // A fourth within the window flags all four.
        let mut four = three.clone();
        four.push(fact(3, t(9), "anna", 3, AuditAction::ClientRead));
        assert_eq!(flag(&four, &s).len(), 4);
        // The same fourth outside the window (the first has left it) flags nothing.
        let mut spread = three.clone();
        spread.push(fact(3, t(11), "anna", 3, AuditAction::ClientRead));
        assert!(flag(&spread, &s).is_empty());
        // The same client many times is one client.
        let repeats: Vec<_> = (0..20)
            .map(|i| fact(i, t(0), "anna", 1, AuditAction::ClientRead))
            .collect();
        assert!(flag(&repeats, &s).is_empty());
        // A caseload list of many clients is not "opening" them.
        let list: Vec<_> = (0..20)
            .map(|i| fact(i, t(0), "anna", i, AuditAction::CaseloadRead))
            .collect();
        assert!(flag(&list, &s).is_empty());
        // Two users, each under the threshold, are not added together.
        let two: Vec<_> = (0..6)
            .map(|i| {
                fact(
                    i,
                    t(0),
                    if i % 2 == 0 { "anna" } else { "erik" },
                    i,
                    AuditAction::ClientRead,
                )
            })
            .collect();
        assert!(flag(&two, &s).is_empty());
    }
}
