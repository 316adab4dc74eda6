//! The client timeline as an SVG drawn by the template: well-being over time as a line, lapses and
//! relapses marked, interventions as bars below, alerts as ticks. The geometry is computed here,
//! without I/O, and tested; the numbers behind the chart are listed in a table beside it.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// The drawing area, in SVG user units (the SVG scales to the page width).
pub const WIDTH: f64 = 480.0;
const LEFT: f64 = 30.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
/// Height of the well-being band (0–10).
const BAND: f64 = 120.0;
const BAR_TOP: f64 = 160.0;
const BAR_HEIGHT: f64 = 14.0;
const BAR_GAP: f64 = 4.0;

/// One signed journal entry in the window.
pub struct Point {
    pub at: DateTime<Utc>,
    pub well_being: Option<u8>,
    /// `none`, `lapse`, `relapse` or `unknown`.
    pub substance_use: String,
}

/// One intervention (placement) overlapping the window.
pub struct Span {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub label: String,
}

/// One alert raised in the window.
pub struct Mark {
    pub at: DateTime<Utc>,
    pub label: String,
    pub resolved: bool,
}

pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub class: &'static str,
    pub title: String,
}

pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub label: String,
    pub title: String,
    pub text_x: f64,
    pub text_y: f64,
}

pub struct Tick {
    pub x: f64,
    pub label: String,
}

pub struct GridLine {
    pub y: f64,
    pub label_x: f64,
    pub label_y: f64,
    pub label: u8,
}

/// Everything the template draws.
pub struct Chart {
    pub height: f64,
    pub line: String,
    pub dots: Vec<Dot>,
    /// Lapse and relapse markers: vertical lines through the well-being band.
    pub events: Vec<Dot>,
    pub bars: Vec<Bar>,
    pub alerts: Vec<Dot>,
    pub ticks: Vec<Tick>,
    pub grid: Vec<GridLine>,
    pub band_bottom: f64,
    /// Where the plot starts and ends left to right.
    pub left: f64,
    pub right: f64,
    /// Baseline of the date labels.
    pub tick_y: f64,
}

fn x_of(day: f64, days: f64) -> f64 {
    LEFT + (WIDTH - LEFT - RIGHT) * (day / days).clamp(0.0, 1.0)
}

fn y_of(w: u8) -> f64 {
    TOP + BAND * (1.0 - f64::from(w.min(10)) / 10.0)
}

/// Fractional days from the start of `from` (Swedish time) to `at`.
fn days_since(from: NaiveDate, at: DateTime<Utc>) -> f64 {
    let local = at.with_timezone(&chrono_tz::Europe::Stockholm);
    let day = (local.date_naive() - from).num_days() as f64;
    let seconds = f64::from(local.time().num_seconds_from_midnight());
    day + seconds / 86_400.0
}

/// Lays out the chart for the days `from..=to`.
pub fn layout(
    from: NaiveDate,
    to: NaiveDate,
    points: &[Point],
    spans: &[Span],
    marks: &[Mark],
) -> Chart {
    let days = ((to - from).num_days() + 1).max(1) as f64;
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by_key(|p| p.at);
    let mut line = String::new();
    let mut dots = Vec::new();
    let mut events = Vec::new();
    for p in &sorted {
        let x = x_of(days_since(from, p.at), days);
        let when = vaka_domain::time::local_minute(p.at);
        if let Some(w) = p.well_being {
            let y = y_of(w);
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&format!("{x:.1},{y:.1}"));
            dots.push(Dot {
                x,
                y,
                class: "wb",
                title: format!("{when}: {w}/10"),
            });
        }
        let class = match p.substance_use.as_str() {
            "relapse" => "relapse",
            "lapse" => "lapse",
            _ => continue,
        };
        events.push(Dot {
            x,
            y: TOP,
            class,
            title: when,
        });
    }
    // Bars: each placement on the first row where it does not overlap the previous one.
    let mut rows_end: Vec<f64> = Vec::new();
    let mut bars = Vec::new();
    let mut spans_sorted: Vec<&Span> = spans.iter().collect();
    spans_sorted.sort_by_key(|s| s.start);
    for s in spans_sorted {
        let end = s.end.unwrap_or(to);
        if end < from || s.start > to {
            continue;
        }
        let x0 = x_of((s.start - from).num_days() as f64, days);
        let x1 = x_of((end - from).num_days() as f64 + 1.0, days);
        let row = rows_end
            .iter()
            .position(|e| *e <= x0)
            .unwrap_or(rows_end.len());
        if row == rows_end.len() {
            rows_end.push(x1);
        } else {
            rows_end[row] = x1;
        }
        let y = BAR_TOP + row as f64 * (BAR_HEIGHT + BAR_GAP);
        bars.push(Bar {
            x: x0,
            y,
            width: (x1 - x0).max(2.0),
            title: format!(
                "{}: {} – {}",
                s.label,
                s.start,
                s.end.map_or_else(|| "…".to_owned(), |e| e.to_string())
            ),
            label: s.label.clone(),
            text_x: x0 + 4.0,
            text_y: y + BAR_HEIGHT - 3.0,
        });
    }
    let rows = rows_end.len().max(1) as f64;
    let alert_y = BAND + TOP + 16.0;
    let alerts = marks
        .iter()
        .map(|m| Dot {
            x: x_of(days_since(from, m.at), days),
            y: alert_y - 6.0,
            class: if m.resolved {
                "alert resolved"
            } else {
                "alert"
            },
            title: format!("{}: {}", vaka_domain::time::local_minute(m.at), m.label),
        })
        .collect();
    // Ticks at the first of each month, or every week in short windows.
    let mut ticks = Vec::new();
    let mut d = from;
    while d <= to {
        let weekly = days <= 45.0 && d.weekday() == chrono::Weekday::Mon;
        if d.day() == 1 || weekly {
            ticks.push(Tick {
                x: x_of((d - from).num_days() as f64, days),
                label: d.format("%-d/%-m").to_string(),
            });
        }
        d = d.succ_opt().unwrap_or(to + chrono::Duration::days(1));
    }
    let height = BAR_TOP + rows * (BAR_HEIGHT + BAR_GAP) + 18.0;
    Chart {
        height,
        tick_y: height - 4.0,
        line,
        dots,
        events,
        bars,
        alerts,
        ticks,
        grid: [0u8, 5, 10]
            .iter()
            .map(|w| GridLine {
                y: y_of(*w),
                label_x: LEFT - 6.0,
                label_y: y_of(*w) + 5.0,
                label: *w,
            })
            .collect(),
        band_bottom: TOP + BAND,
        left: LEFT,
        right: WIDTH - RIGHT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn p(day: u32, w: Option<u8>, u: &str) -> Point {
        Point {
            at: at(day, 11),
            well_being: w,
            substance_use: u.into(),
        }
    }

    #[test]
    fn well_being_runs_left_to_right_in_time_and_high_is_up() {
        let c = layout(
            d("2026-11-01"),
            d("2026-11-30"),
            &[p(20, Some(2), "none"), p(10, Some(8), "none")],
            &[],
            &[],
        );
        assert_eq!(c.dots.len(), 2);
        assert!(c.dots[0].x < c.dots[1].x, "sorted by time");
        assert!(c.dots[0].y < c.dots[1].y, "8 is drawn above 2");
        assert_eq!(c.line.split(' ').count(), 2);
        assert!((y_of(10) - TOP).abs() < 1e-9);
        assert!((y_of(0) - (TOP + BAND)).abs() < 1e-9);
        assert!(c.dots.iter().all(|d| (LEFT..=WIDTH - RIGHT).contains(&d.x)));
    }

    #[test]
    fn lapses_and_relapses_are_marked_even_without_a_rating() {
        let c = layout(
            d("2026-11-01"),
            d("2026-11-30"),
            &[
                p(5, None, "relapse"),
                p(6, Some(5), "lapse"),
                p(7, Some(5), "none"),
            ],
            &[],
            &[],
        );
        let kinds: Vec<_> = c.events.iter().map(|e| e.class).collect();
        assert_eq!(kinds, ["relapse", "lapse"]);
        assert_eq!(c.dots.len(), 2);
    }

    #[test]
    fn overlapping_placements_take_separate_rows_and_open_ones_run_to_the_end() {
        let spans = [
            Span {
                start: d("2026-10-01"),
                end: Some(d("2026-11-10")),
                label: "Behandlingshem".into(),
            },
            Span {
                start: d("2026-11-05"),
                end: None,
                label: "Case management".into(),
            },
            Span {
                start: d("2026-11-20"),
                end: Some(d("2026-11-25")),
                label: "Öppenvård".into(),
            },
            Span {
                start: d("2025-01-01"),
                end: Some(d("2025-02-01")),
                label: "Outside".into(),
            },
        ];
        let c = layout(d("2026-11-01"), d("2026-11-30"), &[], &spans, &[]);
        assert_eq!(c.bars.len(), 3, "the one outside the window is left out");
        assert!(
            (c.bars[0].x - LEFT).abs() < 1e-9,
            "clipped at the window's start"
        );
        assert!(c.bars[1].y > c.bars[0].y, "overlap goes to a second row");
        assert!((c.bars[1].x + c.bars[1].width - (WIDTH - RIGHT)).abs() < 1e-6);
        assert!((c.bars[2].y - c.bars[0].y).abs() < 1e-9, "free row reused");
    }

    #[test]
    fn ticks_fall_on_month_starts_and_alerts_carry_their_state() {
        let c = layout(
            d("2026-09-15"),
            d("2026-12-13"),
            &[],
            &[],
            &[Mark {
                at: at(21, 9),
                label: "Återfall".into(),
                resolved: true,
            }],
        );
        let labels: Vec<_> = c.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["1/10", "1/11", "1/12"]);
        assert_eq!(c.alerts[0].class, "alert resolved");
        assert!(c.alerts[0].title.contains("Återfall"));
    }
}
