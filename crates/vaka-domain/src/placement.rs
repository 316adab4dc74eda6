//! Placements (verkställighet): an intervention carried out at a provider or unit, with dates and price.

use chrono::NaiveDate;

use crate::error::{FieldError, Msg};
use crate::ids::{CaseId, ClientId, DecisionId, HousingUnitId, PlacementId, ProviderId};
use crate::intervention::Intervention;
use crate::money::Money;
use crate::string_enum;

string_enum! {
    pub enum EndReason {
        CompletedAsPlanned = "completed_as_planned",
        Relapse = "relapse",
        BrokenOffByClient = "broken_off_by_client",
        EvictedOrDischarged = "evicted_or_discharged",
        Moved = "moved",
        Died = "died",
        Other = "other",
    }
}

/// A placement. `end` is the last day of the placement (inclusive); `None` while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub id: PlacementId,
    pub client_id: ClientId,
    pub case_id: Option<CaseId>,
    pub decision_id: Option<DecisionId>,
    pub intervention: Intervention,
    pub provider_id: Option<ProviderId>,
    pub housing_unit_id: Option<HousingUnitId>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub daily_price: Money,
    /// Why the price differs from the contract's, when it does.
    pub price_reason: Option<String>,
    pub end_reason: Option<EndReason>,
}

string_enum! {
    /// How the days of a placement are counted for payment; a setting per municipality.
    pub enum DayCount {
        /// Care days as nights (vårddygn): the day of arrival counts, the day of departure does not;
        /// a placement that begins and ends on the same day counts one day. The default, as in the
        /// framework agreements where "in- och utskrivningsdag räknas som ett dygn".
        Nights = "nights",
        /// Every calendar day from the first to the last, both included.
        CalendarDays = "calendar_days",
    }
}

/// A daily price that applies from a day on (the placement's own price, then each change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricePeriod {
    pub from: NaiveDate,
    pub daily_price: Money,
}

/// What cost is computed from: the dates and the prices of one placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    pub start: NaiveDate,
    /// The last day (inclusive), planned or actual; `None` while it runs with no end set.
    pub end: Option<NaiveDate>,
    /// Sorted by `from`; the first applies also before its own `from`.
    pub prices: Vec<PricePeriod>,
}

/// Days and cost over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaysCost {
    pub days: i64,
    pub cost: Money,
}

impl std::ops::AddAssign for DaysCost {
    fn add_assign(&mut self, o: Self) {
        self.days += o.days;
        self.cost = Money(self.cost.0.saturating_add(o.cost.0));
    }
}

impl Stay {
    pub fn new(start: NaiveDate, end: Option<NaiveDate>, first_price: Money) -> Self {
        Self {
            start,
            end,
            prices: vec![PricePeriod {
                from: start,
                daily_price: first_price,
            }],
        }
    }

    /// The paid days as a half-open range `[first, after_last)`. A stay with no end is counted up to
    /// and including `open_until`.
    pub fn paid_range(&self, rule: DayCount, open_until: NaiveDate) -> (NaiveDate, NaiveDate) {
        let next = |d: NaiveDate| d.succ_opt().unwrap_or(d);
        let after_last = match (self.end, rule) {
            (None, _) => next(open_until),
            (Some(end), DayCount::Nights) if end > self.start => end,
            (Some(_), DayCount::Nights) => next(self.start),
            (Some(end), DayCount::CalendarDays) => next(end),
        };
        (self.start, after_last.max(self.start))
    }

    /// Paid days and their cost within `from..=to`, each day at the price in force that day.
    pub fn cost_between(
        &self,
        rule: DayCount,
        from: NaiveDate,
        to: NaiveDate,
        open_until: NaiveDate,
    ) -> DaysCost {
        let (first, after_last) = self.paid_range(rule, open_until);
        let lo = first.max(from);
        let hi = after_last.min(to.succ_opt().unwrap_or(to));
        let mut total = DaysCost::default();
        if lo >= hi {
            return total;
        }
        // A report asks this of 200k stays per month of its period: sort a copy only when the
        // prices are not in order already (they are when read from the store).
        let resorted;
        let prices: &[PricePeriod] = if self.prices.is_sorted_by_key(|p| p.from) {
            &self.prices
        } else {
            let mut copy = self.prices.clone();
            copy.sort_by_key(|p| p.from);
            resorted = copy;
            &resorted
        };
        for (i, p) in prices.iter().enumerate() {
            let seg_lo = if i == 0 { lo } else { p.from.max(lo) };
            let seg_hi = prices.get(i + 1).map_or(hi, |n| n.from.min(hi));
            if seg_lo < seg_hi {
                let days = (seg_hi - seg_lo).num_days();
                total += DaysCost {
                    days,
                    cost: Money(p.daily_price.0.saturating_mul(days)),
                };
            }
        }
        total
    }

    /// Paid days and cost per calendar year, for a placement that crosses year ends.
    pub fn cost_by_year(
        &self,
        rule: DayCount,
        open_until: NaiveDate,
    ) -> std::collections::BTreeMap<i32, DaysCost> {
        use chrono::Datelike;
        let (first, after_last) = self.paid_range(rule, open_until);
        let mut years = std::collections::BTreeMap::new();
        if first >= after_last {
            return years;
        }
        let last = after_last.pred_opt().unwrap_or(after_last);
        for year in first.year()..=last.year() {
            let Some((jan1, dec31)) = crate::calendar::year_days(year) else {
                continue;
            };
            years.insert(year, self.cost_between(rule, jan1, dec31, open_until));
        }
        years
    }
}

/// The price a contract sets for an intervention on a day: the valid contract that began last.
pub fn contract_price(
    contracts: &[crate::provider::Contract],
    intervention: Intervention,
    on: NaiveDate,
) -> Option<Money> {
    contracts
        .iter()
        .filter(|c| c.valid_from <= on && c.valid_to.is_none_or(|t| on <= t))
        .filter_map(|c| {
            c.prices
                .iter()
                .find(|p| p.intervention == intervention)
                .map(|p| (c.valid_from, c.id, p.daily_price))
        })
        .max_by_key(|(from, id, _)| (*from, *id))
        .map(|(_, _, price)| price)
}

/// Settles a placement's daily price: the contract's unless another is given, and another needs a
/// reason. With no contract price the price must be given (a direct purchase).
pub fn settle_price(
    contract: Option<Money>,
    given: Option<i64>,
    reason: Option<&str>,
) -> Result<(Money, Option<String>), FieldError> {
    let reason = crate::error::optional_text("price_reason", reason, 2000)?;
    let given = given
        .map(|ore| Money::non_negative("daily_price_ore", ore))
        .transpose()?;
    match (contract, given) {
        (None, None) => Err(FieldError::new(
            "daily_price_ore",
            "no_contract_price",
            Msg::new(
                "Avtalet har inget pris för insatsen. Ange dygnspriset (direktupphandling).",
                "No contract price applies. Give the daily price (a direct purchase).",
            ),
        )),
        (Some(c), None) => Ok((c, reason)),
        (None, Some(g)) => Ok((g, reason)),
        (Some(c), Some(g)) if c == g => Ok((g, reason)),
        (Some(c), Some(g)) => match reason {
            Some(r) => Ok((g, Some(r))),
            None => Err(FieldError::new(
                "price_reason",
                "price_reason_required",
                Msg::new(
                    format!("Priset avviker från avtalets {c}. Ange skälet."),
                    format!("The price differs from the contract's {c}. Give the reason."),
                ),
            )),
        },
    }
}

/// A placement as sent by a form or the API, before it is checked.
#[derive(Debug, Default, Clone)]
pub struct PlacementInput<'a> {
    pub intervention: Option<&'a str>,
    pub start: Option<&'a str>,
    pub end: Option<&'a str>,
    pub end_reason: Option<&'a str>,
}

/// The checked dates and kind of a placement (the price is settled against the contract apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementDates {
    pub intervention: Intervention,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
}

impl PlacementDates {
    pub fn parse(input: &PlacementInput) -> Result<Self, Vec<FieldError>> {
        use crate::error::{collect, optional_date, optional_name, required_date, required_name};
        let mut errors = Vec::new();
        let intervention = collect(
            required_name::<Intervention>("intervention", input.intervention),
            &mut errors,
        );
        let start = collect(required_date("start", input.start), &mut errors);
        let end = collect(optional_date("end", input.end), &mut errors).flatten();
        let end_reason = collect(
            optional_name::<EndReason>("end_reason", input.end_reason),
            &mut errors,
        )
        .flatten();
        if let (Some(s), Some(e)) = (start, end) {
            collect(
                crate::error::not_before("end", e, s, ("startdagen", "the start")),
                &mut errors,
            );
        }
        if end_reason.is_some() && end.is_none() && input.end.is_none_or(|e| e.trim().is_empty()) {
            errors.push(FieldError::required("end"));
        }
        match (intervention, start) {
            (Some(intervention), Some(start)) if errors.is_empty() => Ok(Self {
                intervention,
                start,
                end,
                end_reason,
            }),
            _ => Err(errors),
        }
    }
}

impl EndReason {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::CompletedAsPlanned => ("Avslutad enligt plan", "Completed as planned"),
            Self::Relapse => ("Återfall", "Relapse"),
            Self::BrokenOffByClient => ("Avbruten av klienten", "Broken off by the client"),
            Self::EvictedOrDischarged => ("Avhysning/utskrivning", "Evicted or discharged"),
            Self::Moved => ("Flyttat", "Moved"),
            Self::Died => ("Avliden", "Died"),
            Self::Other => ("Annat", "Other"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const P: Money = Money(140_000);

    #[test]
    fn nights_count_arrival_not_departure() {
        let stay = Stay::new(d("2026-03-01"), Some(d("2026-03-31")), P);
        let c = stay.cost_between(
            DayCount::Nights,
            d("2026-01-01"),
            d("2026-12-31"),
            d("2026-12-31"),
        );
        assert_eq!(
            c,
            DaysCost {
                days: 30,
                cost: Money(30 * 140_000)
            }
        );
        let c = stay.cost_between(
            DayCount::CalendarDays,
            d("2026-01-01"),
            d("2026-12-31"),
            d("2026-12-31"),
        );
        assert_eq!(c.days, 31);
        // In and out the same day: one day either way.
        let same = Stay::new(d("2026-03-01"), Some(d("2026-03-01")), P);
        for rule in DayCount::ALL {
            assert_eq!(
                same.cost_between(*rule, d("2026-01-01"), d("2026-12-31"), d("2026-12-31"))
                    .days,
                1
            );
        }
    }

    #[test]
    fn a_running_stay_counts_to_the_open_day() {
        let stay = Stay::new(d("2026-11-01"), None, P);
        assert_eq!(
            stay.cost_between(
                DayCount::Nights,
                d("2026-01-01"),
                d("2026-12-31"),
                d("2026-11-23")
            )
            .days,
            23
        );
        // A forecast counts it to the year end.
        assert_eq!(
            stay.cost_between(
                DayCount::Nights,
                d("2026-11-24"),
                d("2026-12-31"),
                d("2026-12-31")
            )
            .days,
            38
        );
    }

    #[test]
    fn a_stay_across_the_year_end_is_split_by_year() {
        let stay = Stay::new(d("2025-12-20"), Some(d("2026-01-10")), P);
        let years = stay.cost_by_year(DayCount::Nights, d("2026-12-31"));
        assert_eq!(years[&2025].days, 12); // 20–31 December
        assert_eq!(years[&2026].days, 9); // 1–9 January; the 10th is the day of departure
        assert_eq!(years[&2025].cost, Money(12 * 140_000));
        let calendar = stay.cost_by_year(DayCount::CalendarDays, d("2026-12-31"));
        assert_eq!((calendar[&2025].days, calendar[&2026].days), (12, 10));
    }

    #[test]
    fn a_price_change_applies_from_its_day() {
        let mut stay = Stay::new(d("2025-12-01"), Some(d("2026-02-01")), P);
        stay.prices.push(PricePeriod {
            from: d("2026-01-01"),
            daily_price: Money(150_000),
        });
        let years = stay.cost_by_year(DayCount::Nights, d("2026-12-31"));
        assert_eq!(
            years[&2025],
            DaysCost {
                days: 31,
                cost: Money(31 * 140_000)
            }
        );
        assert_eq!(
            years[&2026],
            DaysCost {
                days: 31,
                cost: Money(31 * 150_000)
            }
        );
        // A window inside the second price.
        assert_eq!(
            stay.cost_between(
                DayCount::Nights,
                d("2026-01-10"),
                d("2026-01-19"),
                d("2026-12-31")
            ),
            DaysCost {
                days: 10,
                cost: Money(10 * 150_000)
            }
        );
    }

    #[test]
    fn the_contract_price_is_the_default_and_another_needs_a_reason() {
        assert_eq!(settle_price(Some(P), None, None), Ok((P, None)));
        assert_eq!(settle_price(Some(P), Some(140_000), None), Ok((P, None)));
        let e = settle_price(Some(P), Some(150_000), None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("price_reason", "price_reason_required")
        );
        assert_eq!(
            settle_price(Some(P), Some(150_000), Some("Förstärkt bemanning")),
            Ok((Money(150_000), Some("Förstärkt bemanning".into())))
        );
        let e = settle_price(None, None, None).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code),
            ("daily_price_ore", "no_contract_price")
        );
        assert_eq!(
            settle_price(None, Some(99_900), None),
            Ok((Money(99_900), None))
        );
        assert_eq!(
            settle_price(None, Some(-1), None).unwrap_err().code,
            "negative"
        );
    }

    #[test]
    fn the_valid_contract_sets_the_price() {
        use crate::ids::{ContractId, ProviderId};
        use crate::provider::{Contract, ContractPrice};
        let contract = |id, from: &str, to: Option<&str>, price| Contract {
            id: ContractId(id),
            provider_id: ProviderId(1),
            reference: format!("RA-{id}"),
            valid_from: d(from),
            valid_to: to.map(d),
            prices: vec![ContractPrice {
                intervention: Intervention::TreatmentHome,
                daily_price: Money(price),
            }],
            required_educated_staff_pct: None,
            sobriety_policy: true,
            reports_results: true,
            methods: vec![],
        };
        let contracts = [
            contract(1, "2024-01-01", Some("2025-12-31"), 250_000),
            contract(2, "2026-01-01", None, 260_000),
        ];
        assert_eq!(
            contract_price(&contracts, Intervention::TreatmentHome, d("2025-06-01")),
            Some(Money(250_000))
        );
        assert_eq!(
            contract_price(&contracts, Intervention::TreatmentHome, d("2026-06-01")),
            Some(Money(260_000))
        );
        assert_eq!(
            contract_price(&contracts, Intervention::TreatmentHome, d("2023-06-01")),
            None
        );
        assert_eq!(
            contract_price(&contracts, Intervention::Outpatient, d("2026-06-01")),
            None
        );
    }

    #[test]
    fn placement_dates_name_the_wrong_field() {
        let e = PlacementDates::parse(&PlacementInput {
            intervention: Some("hotel"),
            start: Some("2026-13-01"),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["intervention", "start"]);
        let e = PlacementDates::parse(&PlacementInput {
            intervention: Some("treatment_home"),
            start: Some("2026-03-01"),
            end: Some("2026-02-01"),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e[0].field, "end");
        let e = PlacementDates::parse(&PlacementInput {
            intervention: Some("treatment_home"),
            start: Some("2026-03-01"),
            end_reason: Some("relapse"),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code), ("end", "required"));
    }

    proptest! {
        /// Splitting any window in two never changes the days or the cost: no day is counted twice
        /// or lost at a year end or a price change.
        #[test]
        fn cost_is_additive_over_windows(
            start in 0i64..800, len in 0i64..800, change in 0i64..900, split in 0i64..1700,
            p1 in 0i64..500_000, p2 in 0i64..500_000, open in proptest::option::of(0i64..1700),
            calendar in any::<bool>(),
        ) {
            let base = d("2025-01-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let mut stay = Stay::new(day(start), open.map(|_| day(start + len)), Money(p1));
            stay.prices.push(PricePeriod { from: day(start + change), daily_price: Money(p2) });
            let rule = if calendar { DayCount::CalendarDays } else { DayCount::Nights };
            let open_until = day(1700);
            let whole = stay.cost_between(rule, day(0), day(1699), open_until);
            let mut parts = stay.cost_between(rule, day(0), day(split), open_until);
            parts += stay.cost_between(rule, day(split + 1), day(1699), open_until);
            prop_assert_eq!(whole, parts);
            let by_year: i64 = stay.cost_by_year(rule, open_until).values().map(|c| c.cost.0).sum();
            let all = stay.cost_between(rule, day(-10), day(5000), open_until);
            prop_assert_eq!(by_year, all.cost.0);
            // Days × a single price when the price never changes.
            if p1 == p2 {
                prop_assert_eq!(all.cost.0, all.days * p1);
            }
        }

        /// Prices given out of order cost the same as the same prices in order (the store gives
        /// them in order; anything else is sorted first).
        #[test]
        fn the_order_prices_are_given_in_does_not_matter(
            start in 0i64..400, len in 0i64..800,
            changes in proptest::collection::vec((0i64..900, 0i64..500_000), 0..4),
            from in 0i64..1200, to in 0i64..1200, calendar in any::<bool>(),
        ) {
            let base = d("2025-01-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let mut given = Stay::new(day(start), Some(day(start + len)), Money(140_000));
            for (at, price) in &changes {
                given.prices.push(PricePeriod { from: day(start + at), daily_price: Money(*price) });
            }
            let mut sorted = given.clone();
            sorted.prices.sort_by_key(|p| p.from);
            let rule = if calendar { DayCount::CalendarDays } else { DayCount::Nights };
            prop_assert_eq!(
                given.cost_between(rule, day(from), day(to), day(1700)),
                sorted.cost_between(rule, day(from), day(to), day(1700))
            );
        }
    }
}
