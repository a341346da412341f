//! Charts as SVG drawn by the server: nothing to download, nothing from outside, readable on a
//! 360 px phone (the drawing scales to its box; labels stay inside it). Every chart is drawn
//! from a [`Figure`], the same table that is shown under it and exported as CSV/XLSX, so the
//! numbers are one click away and never disagree with the picture.

use maud::{Markup, PreEscaped, html};
use puskesos_domain::i18n::format_int;
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;

/// How a figure is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// One horizontal bar per row, the value of column `col`.
    Bars { col: usize },
    /// Age pyramid: column `left` to the left (men), `right` to the right (women).
    Pyramid { left: usize, right: usize },
    /// Stacked horizontal bars of the given columns (with their colour classes).
    Stacked { cols: Vec<(usize, &'static str)> },
    /// No picture: the table is the figure.
    TableOnly,
}

/// A table behind a chart: the first column labels the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Stable name: the anchor on the page and the export's file name.
    pub name: &'static str,
    pub title: String,
    /// A sentence on what is counted and how.
    pub note: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Chart,
}

/// A count for a public page: shown when 0 or at least 5, else "< 5" (see
/// `puskesos_domain::figures::public_count`).
pub fn public_cell(n: i64) -> Cell {
    match puskesos_domain::figures::public_count(n) {
        Some(n) => Cell::Int(n),
        None => Cell::Text(SUPPRESSED.to_string()),
    }
}

/// How a suppressed count reads.
pub const SUPPRESSED: &str = "< 5";

fn value(c: &Cell) -> Option<i64> {
    match c {
        Cell::Int(n) => Some(*n),
        Cell::Text(_) => None,
    }
}

fn label(c: &Cell) -> String {
    match c {
        Cell::Int(n) => n.to_string(),
        Cell::Text(s) => s.clone(),
    }
}

fn shown(lang: Lang, c: &Cell) -> String {
    match c {
        Cell::Int(n) => format_int(lang, *n),
        Cell::Text(s) => s.clone(),
    }
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cuts a label to fit the label column.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

const W: f32 = 320.0;
const ROW: f32 = 20.0;
const LABEL_W: f32 = 130.0;

fn svg(title: &str, height: f32, body: &str) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>{body}</svg>",
        t = esc(title)
    )
}

/// The SVG of a figure (empty for table-only figures).
pub fn draw(lang: Lang, f: &Figure) -> String {
    match &f.chart {
        Chart::TableOnly => String::new(),
        Chart::Bars { col } => {
            let max = f
                .rows
                .iter()
                .filter_map(|r| r.get(*col).and_then(value))
                .max()
                .unwrap_or(0)
                .max(1) as f32;
            let mut body = String::new();
            let bar_w = W - LABEL_W - 50.0;
            for (i, r) in f.rows.iter().enumerate() {
                let y = i as f32 * ROW;
                let c = r.get(*col).cloned().unwrap_or(Cell::Int(0));
                let w = value(&c).map_or(0.0, |v| v as f32 / max * bar_w);
                body.push_str(&format!(
                    "<text x=\"0\" y=\"{ty}\" class=\"l\">{l}</text>\
                     <rect x=\"{LABEL_W}\" y=\"{ry}\" width=\"{w:.1}\" height=\"14\" class=\"b0\"/>\
                     <text x=\"{vx:.1}\" y=\"{ty}\" class=\"v\">{v}</text>",
                    ty = y + 14.0,
                    ry = y + 3.0,
                    l = esc(&fit(&label(&r[0]), 21)),
                    vx = LABEL_W + w + 4.0,
                    v = esc(&shown(lang, &c)),
                ));
            }
            svg(&f.title, f.rows.len().max(1) as f32 * ROW + 4.0, &body)
        }
        Chart::Pyramid { left, right } => {
            let max = f
                .rows
                .iter()
                .flat_map(|r| [r.get(*left), r.get(*right)])
                .filter_map(|c| c.and_then(value))
                .max()
                .unwrap_or(0)
                .max(1) as f32;
            let mid = W / 2.0;
            let half = mid - 30.0;
            let mut body = format!(
                "<text x=\"{:.1}\" y=\"11\" class=\"h\" text-anchor=\"end\">{}</text>\
                 <text x=\"{:.1}\" y=\"11\" class=\"h\">{}</text>",
                mid - 22.0,
                esc(&f.header[*left]),
                mid + 22.0,
                esc(&f.header[*right])
            );
            // Oldest on top, as pyramids are read.
            for (i, r) in f.rows.iter().rev().enumerate() {
                let y = 16.0 + i as f32 * 14.0;
                let (l, rr) = (
                    r.get(*left).cloned().unwrap_or(Cell::Int(0)),
                    r.get(*right).cloned().unwrap_or(Cell::Int(0)),
                );
                let lw = value(&l).map_or(0.0, |v| v as f32 / max * (half - 24.0));
                let rw = value(&rr).map_or(0.0, |v| v as f32 / max * (half - 24.0));
                body.push_str(&format!(
                    "<rect x=\"{lx:.1}\" y=\"{y:.1}\" width=\"{lw:.1}\" height=\"11\" class=\"b0\"/>\
                     <rect x=\"{rx:.1}\" y=\"{y:.1}\" width=\"{rw:.1}\" height=\"11\" class=\"b1\"/>\
                     <text x=\"{mid}\" y=\"{ty:.1}\" class=\"s\" text-anchor=\"middle\">{band}</text>",
                    lx = mid - 20.0 - lw,
                    rx = mid + 20.0,
                    ty = y + 9.0,
                    band = esc(&label(&r[0])),
                ));
                // A suppressed count has no bar: write its label where the bar would start.
                if value(&l).is_none() {
                    body.push_str(&format!(
                        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"s\" text-anchor=\"end\">{}</text>",
                        mid - 22.0,
                        y + 9.0,
                        esc(&label(&l))
                    ));
                }
                if value(&rr).is_none() {
                    body.push_str(&format!(
                        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"s\">{}</text>",
                        mid + 22.0,
                        y + 9.0,
                        esc(&label(&rr))
                    ));
                }
            }
            svg(&f.title, 16.0 + f.rows.len() as f32 * 14.0 + 2.0, &body)
        }
        Chart::Stacked { cols } => {
            let total = |r: &[Cell]| -> i64 {
                cols.iter()
                    .filter_map(|(c, _)| r.get(*c).and_then(value))
                    .sum()
            };
            let max = f.rows.iter().map(|r| total(r)).max().unwrap_or(0).max(1) as f32;
            let bar_w = W - LABEL_W - 10.0;
            let mut body = String::new();
            for (i, r) in f.rows.iter().enumerate() {
                let y = i as f32 * ROW;
                body.push_str(&format!(
                    "<text x=\"0\" y=\"{ty}\" class=\"l\">{l}</text>",
                    ty = y + 14.0,
                    l = esc(&fit(&label(&r[0]), 21))
                ));
                let mut x = LABEL_W;
                for (c, class) in cols {
                    let v = r.get(*c).and_then(value).unwrap_or(0);
                    let w = v as f32 / max * bar_w;
                    if w > 0.0 {
                        body.push_str(&format!(
                            "<rect x=\"{x:.1}\" y=\"{ry}\" width=\"{w:.1}\" height=\"14\" class=\"{class}\">\
                             <title>{h}: {v}</title></rect>",
                            ry = y + 3.0,
                            h = esc(&f.header[*c]),
                            v = format_int(lang, v),
                        ));
                    }
                    x += w;
                }
            }
            let legend_y = f.rows.len() as f32 * ROW + 12.0;
            let mut x = 0.0;
            for (c, class) in cols {
                let name = fit(&f.header[*c], 18);
                body.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{ry:.1}\" width=\"9\" height=\"9\" class=\"{class}\"/>\
                     <text x=\"{tx:.1}\" y=\"{ty:.1}\" class=\"s\">{n}</text>",
                    ry = legend_y - 8.0,
                    tx = x + 12.0,
                    ty = legend_y,
                    n = esc(&name)
                ));
                x += 16.0 + name.chars().count() as f32 * 5.2;
            }
            svg(&f.title, legend_y + 6.0, &body)
        }
    }
}

/// The figure as a page section: title, chart, the numbers behind it (one click), and its
/// downloads when `export` gives the link's query (`None` on public pages).
pub fn section(lang: Lang, f: &Figure, export: Option<&str>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let picture = draw(lang, f);
    html! {
        section.figure id=(f.name) {
            h3 { (f.title) }
            @if let Some(n) = &f.note { p.note { (n) } }
            @if !picture.is_empty() { (PreEscaped(&picture)) }
            details open[picture.is_empty()] {
                summary { (t("web-figure-numbers")) }
                (table(lang, f))
            }
            @if let Some(q) = export {
                p.downloads {
                    a href=(format!("/dasbor/tabel/{}?format=csv{q}", f.name)) { "CSV" }
                    " · "
                    a href=(format!("/dasbor/tabel/{}?format=xlsx{q}", f.name)) { "XLSX" }
                }
            }
        }
    }
}

/// The figure's numbers as an HTML table.
pub fn table(lang: Lang, f: &Figure) -> Markup {
    html! {
        div.table-wrap {
            table.gaps {
                thead { tr { @for h in &f.header { th scope="col" { (h) } } } }
                tbody {
                    @for r in &f.rows {
                        tr {
                            @for (i, c) in r.iter().enumerate() {
                                @if i == 0 { th scope="row" { (shown(lang, c)) } }
                                @else { td.num { (shown(lang, c)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(chart: Chart) -> Figure {
        Figure {
            name: "uji",
            title: "Uji <grafik>".into(),
            note: None,
            header: vec!["x".into(), "L".into(), "P".into()],
            rows: vec![
                vec![Cell::Text("0-4".into()), Cell::Int(10), Cell::Int(20)],
                vec![
                    Cell::Text("5-9".into()),
                    Cell::Int(5),
                    Cell::Text(SUPPRESSED.into()),
                ],
            ],
            chart,
        }
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_label_suppressed_counts() {
        let s = draw(Lang::Id, &figure(Chart::Bars { col: 1 }));
        assert!(s.starts_with("<svg"));
        assert!(s.contains("Uji &lt;grafik&gt;"), "title escaped");
        // Largest bar = full width (320 - 130 - 50), half value = half width.
        assert!(s.contains("width=\"140.0\""));
        assert!(s.contains("width=\"70.0\""));
        let p = draw(Lang::Id, &figure(Chart::Pyramid { left: 1, right: 2 }));
        assert!(
            p.contains("&lt; 5"),
            "a suppressed count is drawn as its label"
        );
        let st = draw(
            Lang::Id,
            &figure(Chart::Stacked {
                cols: vec![(1, "b0"), (2, "b1")],
            }),
        );
        assert_eq!(
            st.matches("<rect").count(),
            3 + 2,
            "three bars and two legend keys"
        );
        assert!(draw(Lang::Id, &figure(Chart::TableOnly)).is_empty());
    }
}
