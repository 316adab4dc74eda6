//! Case-mix adjusted comparison of intervention types: a Cox model of the time from a placement's
//! start to the first relapse, with the intervention type and the person's age, sex and AUDIT and
//! DUDIT totals at intake as covariates. Hazard ratios against a reference type; a ratio under 1
//! means fewer relapses than the reference among people alike in those respects (see
//! docs/measures.md).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::cox::{self, Coefficient, CoxError};
use super::measures::{Episode, MIN_PEOPLE, RelapseIndex, time_to_relapse};
use crate::intervention::Intervention;

/// What is known of a person at intake.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Person {
    pub birth_date: NaiveDate,
    /// `None` when the sex is not known.
    pub woman: Option<bool>,
    /// The first AUDIT and DUDIT totals, when the person was screened.
    pub audit: Option<u32>,
    pub dudit: Option<u32>,
}

/// An intervention type's hazard ratio against the reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HazardRatio {
    pub intervention: Intervention,
    pub hazard_ratio: f64,
    pub lower: f64,
    pub upper: f64,
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Adjusted {
    pub reference: Intervention,
    /// Placements in the model, and relapses among them.
    pub placements: u64,
    pub relapses: u64,
    /// Types left out for fewer than 5 people or 5 relapses.
    pub left_out: Vec<Intervention>,
    /// Whether the AUDIT and DUDIT totals are in the model (only when both are known for at least
    /// four in five placements; those without are then left out).
    pub with_scores: bool,
    pub by_intervention: Vec<HazardRatio>,
    /// Every coefficient of the model (age per 10 years, woman, AUDIT and DUDIT per 10 points...).
    pub coefficients: Vec<Coefficient>,
}

/// Fits the model on `episodes` (placements with a known person) up to `as_of`.
pub fn relapse_by_intervention(
    episodes: &[&Episode],
    people: &HashMap<i64, Person>,
    relapses: &RelapseIndex,
    as_of: NaiveDate,
) -> Result<Adjusted, CoxError> {
    let usable: Vec<&Episode> = episodes
        .iter()
        .copied()
        .filter(|e| e.start <= as_of && people.get(&e.client).is_some_and(|p| p.woman.is_some()))
        .collect();
    let obs = time_to_relapse(&usable, relapses, as_of);
    // Which types have enough people and relapses to estimate.
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for iv in Intervention::ALL {
        let rows: Vec<usize> = (0..usable.len())
            .filter(|k| usable[*k].intervention == *iv)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut who: Vec<i64> = rows.iter().map(|k| usable[*k].client).collect();
        who.sort_unstable();
        who.dedup();
        let events = rows.iter().filter(|k| obs[**k].event).count() as u64;
        if who.len() as u64 >= MIN_PEOPLE && events >= MIN_PEOPLE {
            kept.push((*iv, rows.len()));
        } else {
            left_out.push(*iv);
        }
    }
    if kept.len() < 2 {
        return Err(CoxError::Singular);
    }
    let reference = kept
        .iter()
        .find(|(iv, _)| *iv == Intervention::CaseManagement)
        .or_else(|| kept.iter().max_by_key(|(_, n)| *n))
        .map(|(iv, _)| *iv)
        .ok_or(CoxError::Singular)?;
    let others: Vec<Intervention> = kept
        .iter()
        .map(|(iv, _)| *iv)
        .filter(|iv| *iv != reference)
        .collect();
    let in_model: Vec<usize> = (0..usable.len())
        .filter(|k| kept.iter().any(|(iv, _)| *iv == usable[*k].intervention))
        .collect();
    let scored = in_model
        .iter()
        .filter(|k| {
            let p = &people[&usable[**k].client];
            p.audit.is_some() && p.dudit.is_some()
        })
        .count();
    let with_scores = scored * 5 >= in_model.len() * 4;
    let mut names: Vec<String> = others.iter().map(|iv| iv.as_str().to_owned()).collect();
    names.extend(["age_per_10_years".to_owned(), "woman".to_owned()]);
    if with_scores {
        names.extend([
            "audit_per_10_points".to_owned(),
            "dudit_per_10_points".to_owned(),
        ]);
    }
    let mut rows_obs = Vec::new();
    let mut x = Vec::new();
    for k in in_model {
        let e = usable[k];
        let p = &people[&e.client];
        let mut row: Vec<f64> = others
            .iter()
            .map(|iv| f64::from(u8::from(e.intervention == *iv)))
            .collect();
        let age = (e.start - p.birth_date).num_days() as f64 / 365.25;
        row.push(age / 10.0);
        row.push(f64::from(u8::from(p.woman == Some(true))));
        if with_scores {
            let (Some(a), Some(d)) = (p.audit, p.dudit) else {
                continue;
            };
            row.push(f64::from(a) / 10.0);
            row.push(f64::from(d) / 10.0);
        }
        rows_obs.push(obs[k]);
        x.push(row);
    }
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let model = cox::fit(&rows_obs, &x, &name_refs, 0.95)?;
    let by_intervention = others
        .iter()
        .zip(&model.coefficients)
        .map(|(iv, c)| HazardRatio {
            intervention: *iv,
            hazard_ratio: c.hazard_ratio,
            lower: c.hr_lower,
            upper: c.hr_upper,
            p_value: c.p_value,
        })
        .collect();
    Ok(Adjusted {
        reference,
        placements: model.n as u64,
        relapses: model.events as u64,
        left_out,
        with_scores,
        by_intervention,
        coefficients: model.coefficients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    type History = (Vec<Episode>, HashMap<i64, Person>, Vec<(i64, NaiveDate)>);

    /// Placements of two types whose relapse days are fixed, people alike except the type.
    fn history(days_cm: &[i64], days_th: &[i64]) -> History {
        let start = d("2024-01-01");
        let mut eps = Vec::new();
        let mut people = HashMap::new();
        let mut relapses = Vec::new();
        for (k, (iv, day)) in days_cm
            .iter()
            .map(|x| (Intervention::CaseManagement, *x))
            .chain(days_th.iter().map(|x| (Intervention::TreatmentHome, *x)))
            .enumerate()
        {
            let c = k as i64;
            eps.push(Episode {
                client: c,
                intervention: iv,
                provider: None,
                start,
                end: None,
                end_reason: None,
            });
            people.insert(
                c,
                Person {
                    birth_date: d("1980-01-01") + chrono::Duration::days(400 * (k as i64 % 7)),
                    woman: Some(k % 2 == 0),
                    audit: Some(10 + (k as u32 % 5)),
                    dudit: Some(5 + (k as u32 % 3)),
                },
            );
            if day > 0 {
                relapses.push((c, start + chrono::Duration::days(day)));
            }
        }
        (eps, people, relapses)
    }

    #[test]
    fn the_type_that_relapses_sooner_has_the_higher_hazard_and_matches_an_unadjusted_direction() {
        // Case management: relapses late or never; treatment home: early.
        let cm = [200, 250, 300, 350, 400, 0, 0, 0, 500, 0];
        let th = [20, 40, 60, 80, 100, 150, 0, 30, 50, 0];
        let (eps, people, relapses) = history(&cm, &th);
        let refs: Vec<&Episode> = eps.iter().collect();
        let a = relapse_by_intervention(
            &refs,
            &people,
            &RelapseIndex::new(&relapses),
            d("2025-12-31"),
        )
        .unwrap();
        assert_eq!(a.reference, Intervention::CaseManagement);
        assert_eq!(a.placements, 20);
        assert_eq!(a.relapses, 14);
        assert!(a.with_scores);
        let th = &a.by_intervention[0];
        assert_eq!(th.intervention, Intervention::TreatmentHome);
        assert!(th.hazard_ratio > 1.0 && th.lower < th.hazard_ratio && th.upper > th.hazard_ratio);
        assert_eq!(a.coefficients.len(), 5);
    }

    #[test]
    fn types_with_few_relapses_are_left_out_and_one_type_cannot_be_compared() {
        // Treatment home: four relapses only.
        let cm = [200, 250, 300, 350, 400, 0];
        let th = [20, 40, 60, 80, 0, 0];
        let (eps, people, relapses) = history(&cm, &th);
        let refs: Vec<&Episode> = eps.iter().collect();
        let r = relapse_by_intervention(
            &refs,
            &people,
            &RelapseIndex::new(&relapses),
            d("2025-12-31"),
        );
        assert_eq!(r, Err(CoxError::Singular));
    }

    #[test]
    fn scores_are_left_out_when_many_are_missing() {
        let cm = [200, 250, 300, 350, 400, 0, 0, 0, 500, 0];
        let th = [20, 40, 60, 80, 100, 150, 0, 30, 50, 0];
        let (eps, mut people, relapses) = history(&cm, &th);
        for c in 0..5 {
            people.get_mut(&c).unwrap().dudit = None;
        }
        let refs: Vec<&Episode> = eps.iter().collect();
        let a = relapse_by_intervention(
            &refs,
            &people,
            &RelapseIndex::new(&relapses),
            d("2025-12-31"),
        )
        .unwrap();
        // 15 of 20 have both: under four in five.
        assert!(!a.with_scores);
        assert_eq!(a.placements, 20);
        assert_eq!(a.coefficients.len(), 3);
    }
}
