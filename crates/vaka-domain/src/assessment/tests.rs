use chrono::NaiveDate;
use proptest::prelude::*;

use super::items::{AUDIT, DUDIT, items};
use super::scoring::{age_on, check_answers, score};
use super::*;
use crate::client::Sex;

fn man(age: u32) -> Respondent {
    Respondent {
        sex: Sex::Male,
        age,
    }
}
fn woman(age: u32) -> Respondent {
    Respondent {
        sex: Sex::Female,
        age,
    }
}

fn scored(instrument: Instrument, answers: &[i64], who: Respondent) -> Score {
    let points = check_answers(instrument, answers).unwrap();
    score(instrument, &points, who, &CutoffProfile::default())
}

/// Answers that sum to `total` using the largest valid points first.
fn answers_for(instrument: Instrument, mut total: u8) -> Vec<i64> {
    items(instrument)
        .iter()
        .map(|item| {
            let p = item.points().filter(|p| *p <= total).max().unwrap();
            total -= p;
            i64::from(p)
        })
        .collect()
}

#[test]
fn audit_items_have_the_who_points() {
    assert_eq!(AUDIT.len(), 10);
    for item in &AUDIT[..8] {
        assert_eq!(
            item.points().collect::<Vec<_>>(),
            [0, 1, 2, 3, 4],
            "item {}",
            item.number
        );
    }
    for item in &AUDIT[8..] {
        assert_eq!(
            item.points().collect::<Vec<_>>(),
            [0, 2, 4],
            "item {}",
            item.number
        );
    }
    assert_eq!(
        AUDIT.iter().map(|i| i.number).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    // The option labels of the WHO table, spot-checked per scale.
    assert_eq!(AUDIT[0].options[4].en, "4 or more times a week");
    assert_eq!(AUDIT[1].options[0].en, "1 or 2");
    assert_eq!(AUDIT[1].options[4].en, "10 or more");
    assert_eq!(AUDIT[2].options[4].sv, "Dagligen eller nästan varje dag");
    assert_eq!(
        AUDIT[8].options[1].sv,
        "Ja, men inte under det senaste året"
    );
    let max: u32 = AUDIT
        .iter()
        .map(|i| u32::from(i.points().max().unwrap()))
        .sum();
    assert_eq!(max, 40);
}

#[test]
fn dudit_items_have_the_manual_points() {
    assert_eq!(DUDIT.len(), 11);
    for item in &DUDIT[..9] {
        assert_eq!(
            item.points().collect::<Vec<_>>(),
            [0, 1, 2, 3, 4],
            "item {}",
            item.number
        );
    }
    for item in &DUDIT[9..] {
        assert_eq!(
            item.points().collect::<Vec<_>>(),
            [0, 2, 4],
            "item {}",
            item.number
        );
    }
    assert_eq!(
        DUDIT[2].options.iter().map(|o| o.en).collect::<Vec<_>>(),
        ["0", "1–2", "3–4", "5–6", "7 or more"]
    );
    assert_eq!(DUDIT[10].options[2].en, "Yes, over the past year");
    let max: u32 = DUDIT
        .iter()
        .map(|i| u32::from(i.points().max().unwrap()))
        .sum();
    assert_eq!(max, 44);
    for item in AUDIT.iter().chain(DUDIT) {
        assert!(!item.sv.is_empty() && !item.en.is_empty());
        assert!(
            item.options
                .iter()
                .all(|o| !o.sv.is_empty() && !o.en.is_empty())
        );
    }
}

#[test]
fn the_domain_notes_test_vectors_score_as_published() {
    let all_zero = scored(Instrument::Audit, &[0; 10], man(40));
    assert_eq!(
        (all_zero.total, all_zero.zone, all_zero.audit_c),
        (0, Zone::I, Some(0))
    );
    let sixteen = [4, 2, 3, 1, 1, 1, 1, 1, 0, 2];
    assert_eq!(scored(Instrument::Audit, &sixteen, man(40)).zone, Zone::III);
    assert_eq!(
        scored(Instrument::Audit, &sixteen, woman(40)).zone,
        Zone::III
    );
    assert_eq!(
        scored(Instrument::Audit, &sixteen, man(40)).audit_c,
        Some(9)
    );
    let max = scored(Instrument::Audit, &[4; 10], woman(30));
    assert_eq!((max.total, max.zone), (40, Zone::IV));
    let dudit_max = scored(Instrument::Dudit, &[4; 11], man(30));
    assert_eq!(
        (dudit_max.total, dudit_max.zone),
        (44, Zone::ProbableDependence)
    );
}

#[test]
fn audit_zones_and_cutoffs_at_their_boundaries_for_both_sexes() {
    let a = |total, who| {
        scored(
            Instrument::Audit,
            &answers_for(Instrument::Audit, total),
            who,
        )
    };
    // Men: zones 0–7, 8–15, 16–19, 20–40; cut-off 8.
    for (total, zone, above) in [
        (7, Zone::I, false),
        (8, Zone::II, true),
        (15, Zone::II, true),
        (16, Zone::III, true),
        (19, Zone::III, true),
        (20, Zone::IV, true),
    ] {
        let s = a(total, man(40));
        assert_eq!(
            (s.total, s.zone, s.above_cutoff),
            (total, zone, above),
            "man {total}"
        );
        assert_eq!((s.cutoff, s.cutoff_basis), (8, CutoffBasis::Man));
    }
    // Women (Riddargatan 1): 0–5, 6–13, 14–17, 18+; cut-off 6.
    for (total, zone, above) in [
        (5, Zone::I, false),
        (6, Zone::II, true),
        (13, Zone::II, true),
        (14, Zone::III, true),
        (17, Zone::III, true),
        (18, Zone::IV, true),
    ] {
        let s = a(total, woman(40));
        assert_eq!((s.zone, s.above_cutoff), (zone, above), "woman {total}");
        assert_eq!((s.cutoff, s.cutoff_basis), (6, CutoffBasis::Woman));
    }
    // Over 65: 7 for men (lower than 8); a woman keeps 6.
    assert!(!a(7, man(65)).above_cutoff, "65 is not over 65");
    let old = a(7, man(66));
    assert!(old.above_cutoff);
    assert_eq!((old.cutoff, old.cutoff_basis), (7, CutoffBasis::Over65));
    assert_eq!(a(6, woman(70)).cutoff, 6);
    // Unknown sex: the lower cut-off.
    let u = a(
        6,
        Respondent {
            sex: Sex::Unknown,
            age: 40,
        },
    );
    assert_eq!(
        (u.cutoff, u.cutoff_basis, u.above_cutoff),
        (6, CutoffBasis::UnknownSex, true)
    );
}

#[test]
fn dudit_cutoffs_at_their_boundaries_for_both_sexes_and_young_people() {
    let d = |total, who| {
        scored(
            Instrument::Dudit,
            &answers_for(Instrument::Dudit, total),
            who,
        )
    };
    assert!(!d(5, man(30)).above_cutoff);
    assert_eq!(d(6, man(30)).zone, Zone::DrugRelatedProblems);
    assert!(!d(1, woman(30)).above_cutoff);
    assert_eq!(d(1, woman(30)).zone, Zone::Negative);
    assert!(d(2, woman(30)).above_cutoff);
    // 16–25: 7 for men, 3 for women (preliminary).
    assert!(!d(6, man(25)).above_cutoff);
    assert_eq!(d(7, man(25)).cutoff_basis, CutoffBasis::YoungMan);
    assert!(d(7, man(16)).above_cutoff);
    assert!(d(6, man(26)).above_cutoff, "26 is an adult");
    assert!(d(6, man(15)).above_cutoff, "under 16 the adult cut-off");
    assert!(!d(2, woman(20)).above_cutoff);
    assert!(d(3, woman(20)).above_cutoff);
    // Probable dependence from 25, either sex.
    assert_eq!(d(24, woman(40)).zone, Zone::DrugRelatedProblems);
    assert_eq!(d(25, woman(40)).zone, Zone::ProbableDependence);
    assert_eq!(d(25, man(20)).zone, Zone::ProbableDependence);
    assert_eq!(d(25, man(20)).audit_c, None);
}

#[test]
fn the_who_profile_uses_one_set_of_zones() {
    let who = CutoffProfile::builtin(ProfileName::Who2001);
    let points = check_answers(Instrument::Audit, &answers_for(Instrument::Audit, 7)).unwrap();
    let s = score(Instrument::Audit, &points, woman(40), &who);
    assert_eq!(
        (s.zone, s.cutoff, s.above_cutoff, s.profile),
        (Zone::I, 7, true, ProfileName::Who2001)
    );
}

#[test]
fn out_of_range_answers_are_rejected_naming_the_item() {
    let mut a = [0i64; 10];
    a[8] = 1;
    let e = check_answers(Instrument::Audit, &a).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "answers[8]");
    assert_eq!(e[0].code, "invalid_answer");
    assert!(e[0].message.sv.contains("Fråga 9") && e[0].message.en.contains("0, 2, 4"));
    for bad in [-1, 5, 3] {
        let mut d = [0i64; 11];
        d[10] = bad;
        d[0] = if bad == 3 { 3 } else { bad };
        let e = check_answers(Instrument::Dudit, &d).unwrap_err();
        assert!(e.iter().any(|e| e.field == "answers[10]"), "{bad}");
    }
    let e = check_answers(Instrument::Dudit, &[0; 10]).unwrap_err();
    assert_eq!((e[0].field.as_str(), e[0].code), ("answers", "wrong_count"));
    assert!(check_answers(Instrument::Audit, &[0; 11]).is_err());
    assert!(check_answers(Instrument::Audit, &[i64::MAX; 10]).is_err());
}

#[test]
fn profiles_are_settings_with_named_keys() {
    let (p, skipped) = CutoffProfile::from_pairs([("audit_women", "7"), ("profile", "who_2001")]);
    assert!(skipped.is_empty());
    assert_eq!(
        (p.name, p.audit_women, p.audit_men),
        (ProfileName::Who2001, 7, 8)
    );
    let (p, skipped) =
        CutoffProfile::from_pairs([("dudit_men", "0"), ("nonsense", "1"), ("profile", "x")]);
    assert_eq!(p, CutoffProfile::default());
    let fields: Vec<_> = skipped.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["profile", "dudit_men", "nonsense"]);
    let pairs = CutoffProfile::default().pairs();
    assert_eq!(pairs.len(), CutoffProfile::KEYS.len());
    let (round, _) = CutoffProfile::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    assert_eq!(round, CutoffProfile::default());
}

#[test]
fn age_is_whole_years_on_the_day() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(age_on(d("1960-11-23"), d("2026-11-22")), 65);
    assert_eq!(age_on(d("1960-11-23"), d("2026-11-23")), 66);
    assert_eq!(age_on(d("2000-02-29"), d("2026-02-28")), 25);
    assert_eq!(age_on(d("2000-02-29"), d("2026-03-01")), 26);
    assert_eq!(age_on(d("2030-01-01"), d("2026-03-01")), 0);
}

fn valid_answers(instrument: Instrument) -> impl Strategy<Value = Vec<i64>> {
    let per_item: Vec<_> = items(instrument)
        .iter()
        .map(|item| proptest::sample::select(item.points().map(i64::from).collect::<Vec<_>>()))
        .collect();
    per_item
}

proptest! {
    #[test]
    fn totals_are_the_sum_and_the_cutoff_is_a_threshold(
        audit in valid_answers(Instrument::Audit),
        dudit in valid_answers(Instrument::Dudit),
        age in 12u32..100,
        female in any::<bool>(),
    ) {
        let who = Respondent { sex: if female { Sex::Female } else { Sex::Male }, age };
        for (instrument, answers, max) in [(Instrument::Audit, &audit, 40), (Instrument::Dudit, &dudit, 44)] {
            let s = scored(instrument, answers, who);
            prop_assert_eq!(i64::from(s.total), answers.iter().sum::<i64>());
            prop_assert!(s.total <= max);
            prop_assert_eq!(s.above_cutoff, s.total >= s.cutoff);
            // One point more never lowers the zone.
            if let Some(i) = answers.iter().position(|a| *a < 4) {
                let item = &items(instrument)[i];
                if let Some(next) = item.points().find(|p| i64::from(*p) > answers[i]) {
                    let mut more = answers.clone();
                    more[i] = i64::from(next);
                    let t = scored(instrument, &more, who);
                    prop_assert!(t.zone >= s.zone);
                    prop_assert!(t.above_cutoff || !s.above_cutoff);
                }
            }
        }
        let audit_c: i64 = audit[..3].iter().sum();
        prop_assert_eq!(scored(Instrument::Audit, &audit, who).audit_c.map(i64::from), Some(audit_c));
    }
}
