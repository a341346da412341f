//! A small flowing PDF document written top to bottom (letterheads, headings, wrapped text,
//! label/value fields, tables, a QR code, signature blocks) on A3, A4 or A6 pages, for every
//! PDF the product prints: the referral letter, the monthly report, the board's poster and the
//! receipts. Written with `pdf-writer` and the standard Helvetica fonts (nothing embedded) in
//! WinAnsiEncoding (Windows-1252), so "–", "é" or "·" print as themselves.
//!
//! Each page is ONE content stream built by one `pdf_writer::Content`: operations are never
//! glued together as bytes (that is how "ET0 g" once made readers drop the QR code). Every
//! element measures its text with Helvetica's real advance widths and reserves its height
//! before drawing, so nothing is drawn over anything else and nothing leaves the page.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use puskesos_domain::i18n::format_int;
use puskesos_domain::wilayah::{KodeWilayah, Level, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;

/// The two fonts every PDF here uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Declares Helvetica and Helvetica-Bold, standard fonts every reader has, in the
/// Windows-1252 encoding that [`ansi`] writes.
pub fn standard_fonts(pdf: &mut Pdf, regular: Ref, bold: Ref) {
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
}

/// Text in the fonts' WinAnsiEncoding (Windows-1252, encoded by `encoding_rs`). The few
/// characters outside it that our catalogues use get a readable stand-in ("→" as "->");
/// anything else becomes "?".
pub fn ansi(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if !unmappable {
            out.extend_from_slice(&bytes);
            continue;
        }
        out.extend_from_slice(match c {
            '→' => b"->",
            '←' => b"<-",
            '≤' => b"<=",
            '≥' => b">=",
            '≠' => b"!=",
            '\u{2212}' => b"-",
            _ => b"?",
        });
    }
    out
}

/// Helvetica's advance widths (thousandths of the size) for ' '..='~', from Adobe's AFM files.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The width of `s` in points in `font` at `size`.
pub fn text_width(s: &str, font: Font, size: f32) -> f32 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    let units: u32 = s
        .chars()
        .map(|c| match c {
            ' '..='~' => u32::from(table[c as usize - 32]),
            '—' => 1000,
            '·' | '‘' | '’' => 278,
            '•' => 350,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Splits text into lines no wider than `width` points, at spaces; a word wider than a line
/// (a link) is cut where it must.
pub fn wrap(s: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let fits = |t: &str| text_width(t, font, size) <= width;
    let mut lines = vec![String::new()];
    for word in s.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        let joined = if last.is_empty() {
            word.to_string()
        } else {
            format!("{last} {word}")
        };
        if fits(&joined) {
            *last = joined;
            continue;
        }
        if !last.is_empty() {
            lines.push(String::new());
        }
        for c in word.chars() {
            let last = lines.last_mut().expect("one line at least");
            last.push(c);
            if !fits(last) && last.chars().count() > 1 {
                last.pop();
                lines.push(c.to_string());
            }
        }
    }
    lines
}

/// Draws the QR code of `target` into `c`, lower-left corner at (x, y), `side` points wide.
/// Returns false (drawing nothing) when the text is too long for a QR code.
pub fn draw_qr(c: &mut Content, target: &str, x: f32, y: f32, side: f32) -> bool {
    let Ok(code) = qrcode::QrCode::new(target.as_bytes()) else {
        return false;
    };
    let w = code.width();
    let module = side / w as f32;
    c.save_state();
    c.set_fill_gray(0.0);
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (row, col) = (i / w, i % w);
            c.rect(
                x + col as f32 * module,
                y + (w - 1 - row) as f32 * module,
                module,
                module,
            );
        }
    }
    c.fill_nonzero();
    c.restore_state();
    true
}

/// Paper sizes (portrait).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paper {
    A3,
    A4,
    /// 105 × 148 mm: a receipt.
    A6,
}

impl Paper {
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A3 => (842.0, 1191.0),
            Paper::A4 => (595.0, 842.0),
            Paper::A6 => (298.0, 420.0),
        }
    }

    fn margin(self) -> f32 {
        match self {
            Paper::A6 => 22.0,
            _ => 50.0,
        }
    }
}

/// How a line of text sits between the margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Center,
}

/// One signature block: the line above the title ("Mengetahui,"), the title ("Kepala Desa
/// Petirsari") and the name under the space for the signature (dots when unknown).
#[derive(Debug, Clone, Default)]
pub struct Signature {
    pub above: String,
    pub title: String,
    pub name: String,
}

/// Where a village sits, by name, for letterheads and addressees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// "Kabupaten Wonogiri" or "Kota Surakarta", as the master list names it.
    pub kab_kota: String,
    pub kecamatan: String,
    pub village: String,
    /// A kelurahan (code 1xxx) rather than a desa (2xxx).
    pub kelurahan: bool,
}

/// The names above a village code (the code itself where the master list does not know it).
pub fn place_of(code: &str) -> Place {
    let Some(k) = KodeWilayah::parse(code) else {
        return Place {
            village: code.to_string(),
            ..Place::default()
        };
    };
    let mut place = Place {
        village: code.to_string(),
        kelurahan: k
            .as_str()
            .rsplit('.')
            .next()
            .is_some_and(|s| s.starts_with('1')),
        ..Place::default()
    };
    for r in Wilayah::master().path(&k) {
        match r.level() {
            Level::KabupatenKota => place.kab_kota = r.name.to_string(),
            Level::Kecamatan => place.kecamatan = r.name.to_string(),
            Level::DesaKelurahan => place.village = r.name.to_string(),
            Level::Provinsi => {}
        }
    }
    place
}

/// What one column of [`Doc::columns`] writes.
pub type Part<'a> = Box<dyn FnOnce(&mut Doc) + 'a>;

/// A document being written top to bottom. `y` is the top of the free space on the page.
pub struct Doc {
    paper: Paper,
    /// Text size multiplier (1 on A4; the A3 poster writes larger).
    scale: f32,
    /// The language numbers are written in.
    lang: Lang,
    title: String,
    margin: f32,
    /// The column being written, `(left, width)`, when the page is split in columns.
    column: Option<(f32, f32)>,
    pages: Vec<Content>,
    current: Content,
    y: f32,
}

/// Line height as a multiple of the font size.
const LEADING: f32 = 1.3;
/// Helvetica's ascender: how far the tallest letters reach above the baseline.
const ASCENT: f32 = 0.72;

impl Doc {
    pub fn new(paper: Paper, scale: f32, lang: Lang) -> Doc {
        let (_, h) = paper.size();
        Doc {
            paper,
            scale,
            lang,
            title: String::new(),
            margin: paper.margin(),
            column: None,
            pages: Vec::new(),
            current: Content::new(),
            y: h - paper.margin(),
        }
    }

    /// The document's title in its properties (what a reader shows in its title bar).
    pub fn set_title(&mut self, title: &str) {
        self.title = title.to_string();
    }

    /// Narrower margins (a poster uses more of its sheet); call before writing anything.
    pub fn set_margin(&mut self, margin: f32) {
        self.margin = margin;
        self.y = self.paper.size().1 - margin;
    }

    fn left(&self) -> f32 {
        self.column.map_or(self.margin, |(x, _)| x)
    }

    /// The width between the margins (of the column, in columns).
    pub fn width(&self) -> f32 {
        self.column
            .map_or(self.paper.size().0 - 2.0 * self.margin, |(_, w)| w)
    }

    /// Writes each part in its own column side by side from the current line, then goes on
    /// under the longest. Parts should fit the page: one that does not goes on the next.
    pub fn columns(&mut self, parts: Vec<Part<'_>>) {
        let n = parts.len().max(1) as f32;
        let gap = 16.0 * self.scale;
        let full = self.width();
        let w = (full - gap * (n - 1.0)) / n;
        let (top, x0) = (self.y, self.left());
        let mut lowest = top;
        for (i, part) in parts.into_iter().enumerate() {
            self.column = Some((x0 + i as f32 * (w + gap), w));
            self.y = top;
            part(self);
            lowest = lowest.min(self.y);
        }
        self.column = None;
        self.y = lowest;
    }

    fn bottom(&self) -> f32 {
        self.margin
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.current, Content::new());
        self.pages.push(done);
        self.y = self.paper.size().1 - self.margin;
    }

    /// Makes room for `h` points, starting a new page when this one has less left (a page
    /// that is still empty takes anything).
    pub fn room(&mut self, h: f32) {
        let top = self.paper.size().1 - self.margin;
        if self.y - h < self.bottom() && self.y < top {
            self.new_page();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        self.y -= points * self.scale;
    }

    /// Draws one line with its baseline at `baseline`.
    fn show(&mut self, font: Font, size: f32, x: f32, baseline: f32, text: &str) {
        let c = &mut self.current;
        c.begin_text();
        c.set_font(font.name(), size);
        c.next_line(x, baseline);
        c.show(Str(&ansi(text)));
        c.end_text();
    }

    /// Writes one line that fits (the caller wrapped it) at the top of the free space.
    fn one_line(&mut self, font: Font, size: f32, x: f32, text: &str) {
        self.room(size * LEADING);
        let baseline = self.y - size * ASCENT;
        self.show(font, size, x, baseline, text);
        self.y -= size * LEADING;
    }

    /// A paragraph in `font` at `size` points (times the document's scale), wrapped.
    pub fn para(&mut self, font: Font, size: f32, align: Align, text: &str) {
        let size = size * self.scale;
        for line in wrap(text, font, size, self.width()) {
            let x = match align {
                Align::Left => self.left(),
                Align::Center => self.left() + (self.width() - text_width(&line, font, size)) / 2.0,
            };
            self.one_line(font, size, x, &line);
        }
    }

    /// A heading (`level` 1 is the title), kept with at least two lines after it.
    pub fn heading(&mut self, level: u8, text: &str) {
        let size = match level {
            1 => 17.0,
            2 => 13.0,
            _ => 11.0,
        };
        self.space(size * 0.5);
        self.room(size * self.scale * LEADING + 30.0 * self.scale);
        self.para(Font::Bold, size, Align::Left, text);
        self.space(2.0);
    }

    /// A paragraph of body text.
    pub fn text(&mut self, text: &str) {
        self.para(Font::Regular, 10.0, Align::Left, text);
    }

    /// Small print.
    pub fn small(&mut self, text: &str) {
        self.para(Font::Regular, 8.0, Align::Left, text);
    }

    /// A horizontal line across the text width.
    pub fn rule(&mut self, weight: f32) {
        self.space(2.0);
        let (x0, x1, y) = (self.left(), self.left() + self.width(), self.y);
        let c = &mut self.current;
        c.set_line_width(weight);
        c.move_to(x0, y);
        c.line_to(x1, y);
        c.stroke();
        self.space(6.0);
    }

    /// Label/value lines ("Nomor : ..."): labels in a column as wide as the longest, values
    /// wrapped beside them.
    pub fn fields(&mut self, rows: &[(&str, &str)]) {
        let size = 10.0 * self.scale;
        let label_w = rows
            .iter()
            .map(|(l, _)| text_width(l, Font::Regular, size))
            .fold(0.0, f32::max)
            .min(self.width() * 0.4);
        let colon = self.left() + label_w + 4.0;
        let value_x = colon + text_width(": ", Font::Regular, size);
        let value_w = self.left() + self.width() - value_x;
        for (label, value) in rows {
            let values = wrap(value, Font::Regular, size, value_w);
            let labels = wrap(label, Font::Regular, size, label_w);
            self.room(size * LEADING * labels.len().max(values.len()).min(3) as f32);
            let top = self.y;
            self.show(Font::Regular, size, colon, top - size * ASCENT, ":");
            for (i, line) in labels.iter().enumerate() {
                let baseline = top - i as f32 * size * LEADING - size * ASCENT;
                self.show(Font::Regular, size, self.left(), baseline, line);
            }
            for (i, line) in values.iter().enumerate() {
                if i > 0 {
                    self.room(size * LEADING);
                }
                let baseline = self.y - size * ASCENT;
                self.show(Font::Regular, size, value_x, baseline, line);
                self.y -= size * LEADING;
            }
            self.y = self.y.min(top - labels.len() as f32 * size * LEADING);
        }
    }

    /// Large numbers, each with its label beside it, on one line (posters).
    pub fn big_numbers(&mut self, items: &[(&str, &str)]) {
        let size = 26.0 * self.scale;
        let small = 12.0 * self.scale;
        self.room(size * LEADING);
        let baseline = self.y - size * ASCENT;
        let mut x = self.left();
        for (number, label) in items {
            self.show(Font::Bold, size, x, baseline, number);
            x += text_width(number, Font::Bold, size) + 8.0 * self.scale;
            self.show(Font::Regular, small, x, baseline, label);
            x += text_width(label, Font::Regular, small) + 28.0 * self.scale;
        }
        self.y -= size * LEADING;
    }

    /// A table; `header` names the columns. Columns are sized to their longest text and
    /// shrunk to fit the page (long text cut with "~"); numbers are right-aligned; the header
    /// is repeated on every page the table runs onto.
    pub fn table(&mut self, header: &[String], rows: &[Vec<Cell>]) {
        let size = 9.0 * self.scale;
        let line = size * 1.2 + 2.0;
        let pad = 6.0 * self.scale;
        let lang = self.lang;
        let cell_text = |c: &Cell| match c {
            Cell::Int(n) => format_int(lang, *n),
            Cell::Text(s) => s.clone(),
        };
        let n = header.len().max(1);
        let mut want: Vec<f32> = header
            .iter()
            .map(|h| text_width(h, Font::Bold, size) + pad)
            .collect();
        want.resize(n, pad);
        for r in rows {
            for (i, c) in r.iter().enumerate().take(n) {
                want[i] = want[i].max(text_width(&cell_text(c), Font::Regular, size) + pad);
            }
        }
        let total: f32 = want.iter().sum();
        let widths: Vec<f32> = if total > self.width() {
            // Shrink the wide (text) columns first: numbers keep their width.
            let narrow: f32 = want.iter().filter(|w| **w <= 60.0 * self.scale).sum();
            let wide: f32 = total - narrow;
            let room = (self.width() - narrow).max(self.width() * 0.3);
            want.iter()
                .map(|w| {
                    if *w <= 60.0 * self.scale {
                        *w
                    } else {
                        w / wide * room
                    }
                })
                .collect()
        } else {
            want
        };
        let fit = |s: &str, font: Font, w: f32| -> String {
            if text_width(s, font, size) <= w - pad + 0.01 {
                return s.to_string();
            }
            let mut t: String = s.to_string();
            while !t.is_empty() && text_width(&format!("{t}~"), font, size) > w - pad + 0.01 {
                t.pop();
            }
            t.push('~');
            t
        };
        let x0 = self.left();
        let x1 = x0 + widths.iter().sum::<f32>();
        // A column of numbers is right-aligned as a whole, its "< 5" and "–" and header too.
        let numeric: Vec<bool> = (0..n)
            .map(|i| rows.iter().any(|r| matches!(r.get(i), Some(Cell::Int(_)))))
            .collect();
        let draw_row = |doc: &mut Doc, cells: &[String], font: Font| {
            let baseline = doc.y - size * ASCENT - 1.0;
            let mut x = x0;
            for (i, s) in cells.iter().enumerate().take(n) {
                let s = fit(s, font, widths[i]);
                let tx = if numeric[i] && i > 0 {
                    x + widths[i] - pad - text_width(&s, font, size) + pad / 2.0
                } else {
                    x
                };
                doc.show(font, size, tx, baseline, &s);
                x += widths[i];
            }
            doc.y -= line;
        };
        let head: Vec<String> = header.to_vec();
        let draw_header = |doc: &mut Doc| {
            draw_row(doc, &head, Font::Bold);
            let y = doc.y + 1.0;
            let c = &mut doc.current;
            c.set_line_width(0.5);
            c.move_to(x0, y);
            c.line_to(x1, y);
            c.stroke();
        };
        // The header and the first row stay together.
        self.room(line * 2.0);
        draw_header(self);
        for r in rows {
            if self.y - line < self.bottom() {
                self.new_page();
                draw_header(self);
            }
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            draw_row(self, &cells, Font::Regular);
        }
        self.space(6.0);
    }

    /// A QR code of `target` (`side` points, times the scale) with a caption beside it and the
    /// target written out under it across the page (on one line when a size from 8 down to
    /// 6 points fits it, so it can be typed or copied), all kept together on one page.
    pub fn qr(&mut self, target: &str, caption: &str, side: f32) {
        let side = side * self.scale;
        let gap = 12.0 * self.scale;
        let cap_size = 10.0 * self.scale;
        let cap = wrap(caption, Font::Regular, cap_size, self.width() - side - gap);
        let mut link_size = 8.0 * self.scale;
        while link_size > 6.0 && text_width(target, Font::Regular, link_size) > self.width() {
            link_size -= 0.25;
        }
        let link = wrap(target, Font::Regular, link_size, self.width());
        let cap_h = cap.len() as f32 * cap_size * LEADING;
        let h = side.max(cap_h) + 6.0 + link.len() as f32 * link_size * LEADING;
        self.room(h + 4.0);
        let top = self.y;
        let left = self.left();
        draw_qr(&mut self.current, target, left, top - side, side);
        let x = left + side + gap;
        let mut y = top - (side - cap_h).max(0.0) / 2.0;
        for l in &cap {
            self.show(Font::Regular, cap_size, x, y - cap_size * ASCENT, l);
            y -= cap_size * LEADING;
        }
        self.y = top - side.max(cap_h) - 6.0;
        for l in &link {
            self.one_line(Font::Regular, link_size, left, l);
        }
        self.space(4.0);
    }

    /// Signature blocks side by side, kept together: the place and date above the last
    /// block, then for each its line above, title, space to sign, and name.
    pub fn signatures(&mut self, place_date: &str, blocks: &[Signature]) {
        let size = 10.0 * self.scale;
        let n = blocks.len().max(1);
        let col = self.width() / n as f32;
        let text_w = col - 10.0;
        let lines_of = |b: &Signature| {
            (
                wrap(&b.above, Font::Regular, size, text_w),
                wrap(&b.title, Font::Regular, size, text_w),
            )
        };
        let tallest = blocks
            .iter()
            .map(|b| {
                let (a, t) = lines_of(b);
                a.len() + t.len()
            })
            .max()
            .unwrap_or(1) as f32;
        // Room to sign: less on a receipt.
        let sign_space = if self.paper == Paper::A6 { 30.0 } else { 48.0 } * self.scale;
        let h = (tallest + 2.0) * size * LEADING + sign_space;
        self.room(h);
        let top = self.y;
        if !place_date.is_empty() {
            let x = self.left() + col * (n - 1) as f32;
            self.show(Font::Regular, size, x, top - size * ASCENT, place_date);
        }
        let top = top - size * LEADING;
        for (i, b) in blocks.iter().enumerate() {
            let x = self.left() + col * i as f32;
            let mut y = top;
            let (above, title) = lines_of(b);
            for l in above.iter().chain(title.iter()).filter(|l| !l.is_empty()) {
                self.show(Font::Regular, size, x, y - size * ASCENT, l);
                y -= size * LEADING;
            }
            let y = top - tallest * size * LEADING - sign_space;
            let name = if b.name.is_empty() {
                "(..............................)".to_string()
            } else {
                b.name.clone()
            };
            let name = wrap(&name, Font::Bold, size, text_w).remove(0);
            let baseline = y - size * ASCENT;
            self.show(Font::Bold, size, x, baseline, &name);
            if !b.name.is_empty() {
                let w = text_width(&name, Font::Bold, size);
                let c = &mut self.current;
                c.set_line_width(0.6);
                c.move_to(x, baseline - 2.0);
                c.line_to(x + w, baseline - 2.0);
                c.stroke();
            }
        }
        self.y = top - h + size * LEADING;
    }

    /// The village government's letterhead: kabupaten/kota, kecamatan, desa or kelurahan and
    /// the Puskesos, centred over a double rule.
    pub fn letterhead(&mut self, village_code: &str) {
        let lang = self.lang;
        let p = place_of(village_code);
        let upper = |s: &str| s.to_uppercase();
        if !p.kab_kota.is_empty() {
            let line = tr(lang, "pdf-head-government", &[("kab", &upper(&p.kab_kota))]);
            self.para(Font::Bold, 12.0, Align::Center, &line);
        }
        if !p.kecamatan.is_empty() {
            let line = tr(
                lang,
                "pdf-head-kecamatan",
                &[("name", &upper(&p.kecamatan))],
            );
            self.para(Font::Bold, 12.0, Align::Center, &line);
        }
        let key = if p.kelurahan {
            "pdf-head-kelurahan"
        } else {
            "pdf-head-desa"
        };
        let line = tr(lang, key, &[("name", &upper(&p.village))]);
        self.para(Font::Bold, 14.0, Align::Center, &line);
        self.para(
            Font::Regular,
            10.0,
            Align::Center,
            &tr(lang, "pdf-head-puskesos", &[]),
        );
        self.space(2.0);
        self.rule(1.5);
        self.space(-5.0);
        self.rule(0.5);
    }

    /// A receipt's short head: the Puskesos and its village, where it lies, and the title.
    pub fn receipt_head(&mut self, village_code: &str, title: &str) {
        let lang = self.lang;
        let p = place_of(village_code);
        let key = if p.kelurahan {
            "pdf-head-kelurahan"
        } else {
            "pdf-head-desa"
        };
        let village = tr(lang, key, &[("name", &p.village.to_uppercase())]);
        self.para(
            Font::Bold,
            11.0,
            Align::Center,
            &format!("PUSKESOS {village}"),
        );
        if !p.kab_kota.is_empty() {
            let line = tr(
                lang,
                "pdf-receipt-place",
                &[("kecamatan", &p.kecamatan), ("kab", &p.kab_kota)],
            );
            self.para(Font::Regular, 8.0, Align::Center, &line);
        }
        self.rule(1.0);
        self.para(Font::Bold, 11.0, Align::Center, title);
        self.space(4.0);
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Vec<u8> {
        self.new_page();
        let (w, h) = self.paper.size();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let (regular, bold) = (Ref::new(3), Ref::new(4));
        let info = Ref::new(5);
        let first = 6;
        let n = self.pages.len() as i32;
        let page_ref = |i: i32| Ref::new(first + 2 * i);
        let content_ref = |i: i32| Ref::new(first + 2 * i + 1);
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids((0..n).map(page_ref)).count(n);
        standard_fonts(&mut pdf, regular, bold);
        let mut doc_info = pdf.document_info(info);
        doc_info.producer(TextStr("Puskesos"));
        if !self.title.is_empty() {
            doc_info.title(TextStr(&self.title));
        }
        doc_info.finish();
        for (i, content) in self.pages.into_iter().enumerate() {
            let i = i as i32;
            let mut p = pdf.page(page_ref(i));
            p.media_box(Rect::new(0.0, 0.0, w, h));
            p.parent(tree);
            p.contents(content_ref(i));
            p.resources()
                .fonts()
                .pair(Font::Regular.name(), regular)
                .pair(Font::Bold.name(), bold);
            p.finish();
            pdf.stream(content_ref(i), &content.finish());
        }
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_windows_1252() {
        assert_eq!(ansi("Rp1.000 – 7–18 é"), b"Rp1.000 \x96 7\x9618 \xe9");
        assert_eq!(ansi("a → b ≤ 4 ✓"), b"a -> b <= 4 ?");
    }

    #[test]
    fn lines_wrap_to_their_width_and_long_links_are_cut() {
        let lines = wrap("satu dua tiga empat lima enam", Font::Regular, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, Font::Regular, 10.0) <= 60.0)
        );
        let link = "https://desa.example/rujukan/0123456789abcdef/jawab?t=0123456789";
        let cut = wrap(link, Font::Bold, 8.0, 80.0);
        assert!(cut.len() > 2);
        assert_eq!(cut.concat(), link, "a cut link loses no character");
    }

    #[test]
    fn long_tables_flow_onto_more_pages_with_their_header() {
        let mut d = Doc::new(Paper::A4, 1.0, Lang::Id);
        d.heading(1, "Laporan Bulanan");
        d.text("Puskesos Desa Uji");
        let rows: Vec<Vec<Cell>> = (0..120)
            .map(|i| vec![Cell::Text(format!("baris {i}")), Cell::Int(i)])
            .collect();
        d.table(&["Uraian".into(), "Jumlah".into()], &rows);
        d.qr("http://127.0.0.1/status", "Cek status", 90.0);
        let pdf = d.finish();
        let s = String::from_utf8_lossy(&pdf);
        assert!(s.starts_with("%PDF-"));
        assert!(s.contains("(baris 119)"), "the last row is written");
        assert!(s.contains("/Count 3"), "120 rows take three A4 pages");
        assert_eq!(s.matches("(Uraian)").count(), 3, "the header on every page");
        let mut a3 = Doc::new(Paper::A3, 1.4, Lang::Id);
        a3.big_numbers(&[("1.234", "keluarga")]);
        assert!(String::from_utf8_lossy(&a3.finish()).contains("1191"));
    }
}
