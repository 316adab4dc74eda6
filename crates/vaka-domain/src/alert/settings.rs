//! The alert thresholds a municipality can set. Stored as key–value pairs so that a new threshold
//! needs no schema change; every key and value is checked here, with errors that name the key.

use crate::error::{FieldError, Msg};
use crate::intervention::Intervention;

/// Thresholds, per municipality. The defaults are the ones issue 4 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertSettings {
    /// Points below the person's own average that count as a drop.
    pub well_being_drop: u8,
    /// At or below this, well-being is low.
    pub well_being_low: u8,
    /// The window of the person's own average.
    pub baseline_days: i64,
    /// No-shows in a row that raise an alert.
    pub no_shows_in_a_row: usize,
    /// A placement ending within this many days without a follow-up decision raises an alert.
    pub placement_ending_days: i64,
    /// An outcome follow-up still due this many days after its due day is recorded as missed.
    pub follow_up_window_days: i64,
    /// Days without contact before the no-contact alert, per intervention (`None`: no rule), in the
    /// order of [`Intervention::ALL`].
    contact_intervals: [Option<u32>; Intervention::ALL.len()],
}

impl Default for AlertSettings {
    fn default() -> Self {
        let mut contact_intervals = [None; Intervention::ALL.len()];
        for (slot, i) in contact_intervals.iter_mut().zip(Intervention::ALL) {
            *slot = i.default_contact_interval_days();
        }
        Self {
            well_being_drop: 3,
            well_being_low: 3,
            baseline_days: 14,
            no_shows_in_a_row: 2,
            placement_ending_days: 14,
            follow_up_window_days: 60,
            contact_intervals,
        }
    }
}

const CONTACT_INTERVAL: &str = "contact_interval.";

fn position(i: Intervention) -> usize {
    Intervention::ALL.iter().position(|x| *x == i).unwrap_or(0)
}

fn number(key: &str, value: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            FieldError::new(
                key,
                "out_of_range",
                Msg::new(
                    format!("Ange ett heltal {min}–{max}."),
                    format!("Give a whole number {min}–{max}."),
                ),
            )
        })
}

impl AlertSettings {
    /// Days without contact that raise the no-contact alert for `i`, if the rule applies to it.
    pub fn contact_interval(&self, i: Intervention) -> Option<u32> {
        self.contact_intervals[position(i)]
    }

    /// Every key a municipality can set, in a stable order.
    pub fn keys() -> Vec<String> {
        let mut keys: Vec<String> = [
            "well_being_drop",
            "well_being_low",
            "baseline_days",
            "no_shows_in_a_row",
            "placement_ending_days",
            "follow_up_window_days",
        ]
        .map(str::to_owned)
        .to_vec();
        keys.extend(
            Intervention::ALL
                .iter()
                .map(|i| format!("{CONTACT_INTERVAL}{i}")),
        );
        keys
    }

    /// Sets one threshold. `contact_interval.<intervention>` takes days, or 0 to switch the rule off.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), FieldError> {
        match key {
            "well_being_drop" => self.well_being_drop = number(key, value, 1, 10)? as u8,
            "well_being_low" => self.well_being_low = number(key, value, 0, 10)? as u8,
            "baseline_days" => self.baseline_days = number(key, value, 1, 90)?,
            "no_shows_in_a_row" => self.no_shows_in_a_row = number(key, value, 1, 10)? as usize,
            "placement_ending_days" => self.placement_ending_days = number(key, value, 1, 90)?,
            "follow_up_window_days" => self.follow_up_window_days = number(key, value, 1, 365)?,
            _ => {
                let i = key
                    .strip_prefix(CONTACT_INTERVAL)
                    .and_then(|name| name.parse::<Intervention>().ok())
                    .ok_or_else(|| {
                        let allowed = Self::keys().join(", ");
                        FieldError::new(
                            key,
                            "unknown_setting",
                            Msg::new(
                                format!("Okänd inställning. Tillåtna: {allowed}."),
                                format!("Unknown setting. Allowed: {allowed}."),
                            ),
                        )
                    })?;
                let days = number(key, value, 0, 365)? as u32;
                self.contact_intervals[position(i)] = (days > 0).then_some(days);
            }
        }
        Ok(())
    }

    /// The value of one key as text (as stored and shown), `0` for a switched-off interval.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "well_being_drop" => self.well_being_drop.to_string(),
            "well_being_low" => self.well_being_low.to_string(),
            "baseline_days" => self.baseline_days.to_string(),
            "no_shows_in_a_row" => self.no_shows_in_a_row.to_string(),
            "placement_ending_days" => self.placement_ending_days.to_string(),
            "follow_up_window_days" => self.follow_up_window_days.to_string(),
            _ => {
                let i = key.strip_prefix(CONTACT_INTERVAL)?.parse().ok()?;
                self.contact_interval(i).unwrap_or(0).to_string()
            }
        })
    }

    /// The defaults with the stored pairs applied. A stored pair that no longer parses is skipped,
    /// so that one bad row never stops the alerts; the caller may log what was skipped.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<FieldError>) {
        let mut s = Self::default();
        let mut skipped = Vec::new();
        for (k, v) in pairs {
            if let Err(e) = s.set(k, v) {
                skipped.push(e);
            }
        }
        (s, skipped)
    }

    /// Every key with its value.
    pub fn pairs(&self) -> Vec<(String, String)> {
        Self::keys()
            .into_iter()
            .filter_map(|k| self.get(&k).map(|v| (k, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_are_the_issue_s_thresholds() {
        let s = AlertSettings::default();
        assert_eq!((s.well_being_drop, s.well_being_low), (3, 3));
        assert_eq!((s.baseline_days, s.no_shows_in_a_row), (14, 2));
        assert_eq!(s.placement_ending_days, 14);
        assert_eq!(s.contact_interval(Intervention::CaseManagement), Some(2));
        assert_eq!(s.contact_interval(Intervention::Other), None);
    }

    #[test]
    fn a_setting_changes_only_its_own_threshold_and_zero_switches_an_interval_off() {
        let mut s = AlertSettings::default();
        s.set("contact_interval.case_management", "3").unwrap();
        s.set("contact_interval.treatment_home", "0").unwrap();
        s.set("well_being_low", "2").unwrap();
        assert_eq!(s.contact_interval(Intervention::CaseManagement), Some(3));
        assert_eq!(s.contact_interval(Intervention::TreatmentHome), None);
        assert_eq!(s.contact_interval(Intervention::Outpatient), Some(14));
        assert_eq!(s.well_being_low, 2);
        assert_eq!(s.well_being_drop, 3);
    }

    #[test]
    fn bad_keys_and_values_name_the_key() {
        let mut s = AlertSettings::default();
        let e = s.set("well_being_low", "11").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("well_being_low", "out_of_range")
        );
        let e = s.set("baseline_days", "0").unwrap_err();
        assert_eq!(e.code, "out_of_range");
        let e = s.set("contact_interval.sauna", "2").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("contact_interval.sauna", "unknown_setting")
        );
        assert!(s.set("colour", "blue").is_err());
        assert_eq!(
            s,
            AlertSettings::default(),
            "a refused value changes nothing"
        );
    }

    #[test]
    fn stored_pairs_apply_and_a_bad_row_is_skipped_not_fatal() {
        let (s, skipped) =
            AlertSettings::from_pairs([("well_being_drop", "4"), ("no_shows_in_a_row", "many")]);
        assert_eq!(s.well_being_drop, 4);
        assert_eq!(s.no_shows_in_a_row, 2);
        assert_eq!(skipped.len(), 1);
    }

    proptest! {
        #[test]
        fn every_key_round_trips_through_its_text(idx in 0usize..13, n in 0i64..=400) {
            let keys = AlertSettings::keys();
            let key = &keys[idx % keys.len()];
            let mut s = AlertSettings::default();
            if s.set(key, &n.to_string()).is_ok() {
                let text = s.get(key).unwrap();
                let mut again = AlertSettings::default();
                again.set(key, &text).unwrap();
                prop_assert_eq!(again, s);
            }
        }
    }
}
