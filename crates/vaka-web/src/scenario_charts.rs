//! The charts of a scenario comparison as SVG: the cost-effectiveness plane (each draw's extra
//! cost against its extra outcome, against the reference strategy) and the acceptability curve
//! (the share of draws in which each strategy is the best buy, by willingness to pay). Used by
//! `vaka simulate --plots DIR` and the scenario page.

use vaka_domain::scenario::Simulation;

const W: f64 = 640.0;
const H: f64 = 360.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;
const COLOURS: [&str; 6] = [
    "#0b5cad", "#a4161a", "#1e6b35", "#8a4500", "#5b2a86", "#333333",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A short number for an axis: 12 500 → "12,5 t", 3 200 000 → "3,2 mn".
fn short(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = if a >= 1e6 {
        (v / 1e6, " mn")
    } else if a >= 1e4 {
        (v / 1e3, " t")
    } else {
        (v, "")
    };
    // As few decimals as the value needs (at most two).
    let text = (0..=2)
        .map(|d| format!("{x:.d$}"))
        .find(|t| {
            t.parse::<f64>()
                .is_ok_and(|v| (v - x).abs() < 1e-9 * x.abs().max(1.0))
        })
        .unwrap_or_else(|| format!("{x:.2}"));
    format!("{}{unit}", text.replace('.', ","))
}

/// Five round ticks covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut out = vec![first];
    while out.last().is_some_and(|v| *v < hi - step * 1e-9) {
        out.push(first + out.len() as f64 * step);
    }
    out
}

fn frame(
    label: &str,
    x_label: &str,
    y_label: &str,
    xs: &[f64],
    ys: &[f64],
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" class="chart" role="img" aria-label="{}" font-family="sans-serif">"##,
        esc(label)
    );
    for v in ys {
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#e4e7eb"/><text x="{}" y="{py:.1}" font-size="11" fill="#4a5260" text-anchor="end" dominant-baseline="middle">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            short(*v),
            py = y(*v)
        ));
    }
    for v in xs {
        svg.push_str(&format!(
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{}" stroke="#e4e7eb"/><text x="{px:.1}" y="{}" font-size="11" fill="#4a5260" text-anchor="middle">{}</text>"##,
            H - BOTTOM,
            H - BOTTOM + 16.0,
            short(*v),
            px = x(*v)
        ));
    }
    svg.push_str(&format!(
        r##"<text x="{}" y="{}" font-size="11" fill="#4a5260" text-anchor="end">{}</text><text x="14" y="{}" font-size="11" fill="#4a5260" transform="rotate(-90 14 {})" text-anchor="middle">{}</text>"##,
        W - RIGHT,
        H - 6.0,
        esc(x_label),
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0,
        esc(y_label)
    ));
    svg
}

/// The cost-effectiveness plane; `None` without a probabilistic analysis or a second strategy.
pub fn ce_plane(sim: &Simulation, outcome_label: &str) -> Option<String> {
    let psa = sim.psa.as_ref()?;
    let reference = psa.reference;
    let others: Vec<usize> = (0..sim.strategies.len())
        .filter(|k| *k != reference)
        .collect();
    if others.is_empty() || psa.results.is_empty() {
        return None;
    }
    // At most 2 000 points a strategy in the picture (every k-th draw); the summary uses all.
    let every = psa.results.len().div_ceil(2000).max(1);
    let points: Vec<(usize, f64, f64)> = others
        .iter()
        .flat_map(|&k| {
            psa.results.iter().step_by(every).map(move |r| {
                (
                    k,
                    r[k].outcome - r[reference].outcome,
                    r[k].cost - r[reference].cost,
                )
            })
        })
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (_, dx, dy) in &points {
        x0 = x0.min(*dx);
        x1 = x1.max(*dx);
        y0 = y0.min(*dy);
        y1 = y1.max(*dy);
    }
    let (xs, ys) = (ticks(x0, x1), ticks(y0, y1));
    let (xa, xb) = (xs[0], *xs.last()?);
    let (ya, yb) = (ys[0], *ys.last()?);
    let x = move |v: f64| LEFT + (W - LEFT - RIGHT) * (v - xa) / (xb - xa).max(1e-12);
    let y = move |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - ya) / (yb - ya).max(1e-12));
    let reference_name = &sim.strategies[reference].name;
    let mut svg = frame(
        "Kostnadseffektivitetsplanet",
        &format!("mer {outcome_label} än {reference_name}"),
        &format!("merkostnad mot {reference_name}"),
        &xs,
        &ys,
        &x,
        &y,
    );
    // The axes through the origin.
    svg.push_str(&format!(
        r##"<line x1="{LEFT}" x2="{}" y1="{oy:.1}" y2="{oy:.1}" stroke="#4a5260"/><line x1="{ox:.1}" x2="{ox:.1}" y1="{TOP}" y2="{}" stroke="#4a5260"/>"##,
        W - RIGHT,
        H - BOTTOM,
        oy = y(0.0),
        ox = x(0.0)
    ));
    for (k, dx, dy) in &points {
        let colour = COLOURS[*k % COLOURS.len()];
        svg.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="1.6" fill="{colour}" fill-opacity="0.35"/>"##,
            x(*dx),
            y(*dy)
        ));
    }
    for (row, k) in others.iter().enumerate() {
        let colour = COLOURS[*k % COLOURS.len()];
        if let Some(inc) = psa
            .incremental
            .iter()
            .find(|i| i.name == sim.strategies[*k].name)
        {
            svg.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{colour}" stroke="#fff" stroke-width="1.5"><title>medel</title></circle>"##,
                x(inc.delta_outcome.mean),
                y(inc.delta_cost.mean)
            ));
        }
        svg.push_str(&format!(
            r##"<rect x="{}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}" font-size="11" fill="#1b1f23" dominant-baseline="middle">{}</text>"##,
            LEFT + 8.0,
            TOP + 6.0 + 16.0 * row as f64,
            LEFT + 24.0,
            TOP + 11.0 + 16.0 * row as f64,
            esc(&sim.strategies[*k].name)
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// The acceptability curve; `None` without a probabilistic analysis.
pub fn acceptability(sim: &Simulation, outcome_label: &str) -> Option<String> {
    let psa = sim.psa.as_ref()?;
    let top = psa.acceptability.last()?.wtp;
    if top <= 0.0 {
        return None;
    }
    let xs = ticks(0.0, top);
    let xb = *xs.last()?;
    let x = move |v: f64| LEFT + (W - LEFT - RIGHT) * v / xb;
    let y = |p: f64| TOP + (H - TOP - BOTTOM) * (1.0 - p);
    let mut svg = frame(
        "Kostnadseffektivitetens acceptanskurva",
        &format!("betalningsvilja per {outcome_label}"),
        "andel av dragningarna som bästa val",
        &xs,
        &[0.0, 0.25, 0.5, 0.75, 1.0],
        &x,
        &y,
    );
    for (k, s) in sim.strategies.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let path: Vec<String> = psa
            .acceptability
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "{}{:.1} {:.1}",
                    if i == 0 { "M" } else { "L" },
                    x(a.wtp),
                    y(a.probabilities[k])
                )
            })
            .collect();
        svg.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"><title>{}</title></path><rect x="{}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}" font-size="11" fill="#1b1f23" dominant-baseline="middle">{}</text>"##,
            path.join(" "),
            esc(&s.name),
            W - RIGHT - 190.0,
            TOP + 6.0 + 16.0 * k as f64,
            W - RIGHT - 174.0,
            TOP + 11.0 + 16.0 * k as f64,
            esc(&s.name)
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = ticks(-1234.0, 5678.0);
        assert!(t[0] <= -1234.0 && *t.last().unwrap() >= 5678.0);
        assert_eq!(ticks(0.0, 6600.0), [0.0, 2000.0, 4000.0, 6000.0, 8000.0]);
        assert_eq!(short(12_500.0), "12,5 t");
        assert_eq!(short(3_200_000.0), "3,2 mn");
        assert_eq!(short(0.25), "0,25");
    }
}
