//! A small flowing PDF document (headings, lines of text, tables, a QR code) on A4 or A3 pages,
//! for the monthly report and the information-board poster. Same means as the referral letter:
//! `pdf-writer` with the standard Helvetica fonts (nothing embedded), pages broken as they fill.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use puskesos_interchange::export::Cell;

/// Text in the fonts' WinAnsi encoding (characters outside it become `?`).
/// Declares the two fonts every PDF here uses: Helvetica and Helvetica-Bold, standard fonts that
/// every reader has (nothing to embed), in the Windows-1252 encoding `ansi` writes.
pub fn standard_fonts(pdf: &mut Pdf, regular: Ref, bold: Ref) {
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
}

pub fn ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            if (' '..='~').contains(&c) {
                c as u8
            } else {
                b'?'
            }
        })
        .collect()
}

/// Splits text into lines of at most `width` characters at spaces.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The content-stream operations that draw the QR code of `target` with its lower-left corner
/// at (x, y), `module` points per module. Public so that a test can check the letter carries
/// the QR code of exactly that address.
pub fn qr_operations(target: &str, x: f32, y: f32, module: f32) -> Vec<u8> {
    let mut c = Content::new();
    if let Ok(code) = qrcode::QrCode::new(target.as_bytes()) {
        let w = code.width();
        let colors = code.to_colors();
        c.set_fill_gray(0.0);
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (row, col) = (i / w, i % w);
                let px = x + col as f32 * module;
                let py = y + (w - 1 - row) as f32 * module;
                c.rect(px, py, module, module);
            }
        }
        c.fill_nonzero();
    }
    c.finish().to_vec()
}

/// Paper sizes in points (portrait).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::A3 => (842.0, 1191.0),
        }
    }
}

/// A document being written top to bottom.
pub struct Doc {
    paper: Paper,
    /// Text size multiplier (1 on A4; posters write larger).
    scale: f32,
    /// Finished pages' content streams.
    pages: Vec<Vec<u8>>,
    /// The page being written: operations already closed, and the open text/graphics ops.
    page_bytes: Vec<u8>,
    current: Content,
    y: f32,
}

const MARGIN: f32 = 50.0;

/// Helvetica's average advance is about half the font size; enough to fit table columns.
fn text_width(s: &str, size: f32) -> f32 {
    s.chars().count() as f32 * size * 0.52
}

impl Doc {
    pub fn new(paper: Paper, scale: f32) -> Doc {
        let (_, h) = paper.size();
        Doc {
            paper,
            scale,
            pages: Vec::new(),
            page_bytes: Vec::new(),
            current: Content::new(),
            y: h - MARGIN,
        }
    }

    fn width(&self) -> f32 {
        self.paper.size().0 - 2.0 * MARGIN
    }

    /// Moves the open operations into the page's bytes.
    fn flush(&mut self) {
        let done = std::mem::replace(&mut self.current, Content::new());
        self.page_bytes.extend_from_slice(&done.finish());
    }

    fn new_page(&mut self) {
        self.flush();
        self.pages.push(std::mem::take(&mut self.page_bytes));
        self.y = self.paper.size().1 - MARGIN;
    }

    /// Makes room for `h` points, starting a new page when needed.
    fn room(&mut self, h: f32) {
        if self.y - h < MARGIN {
            self.new_page();
        }
    }

    fn show(&mut self, font: &[u8], size: f32, x: f32, text: &str) {
        let c = &mut self.current;
        c.begin_text();
        c.set_font(Name(font), size);
        c.next_line(x, self.y);
        c.show(Str(&ansi(text)));
        c.end_text();
    }

    /// A heading (`level` 1 is the title).
    pub fn heading(&mut self, level: u8, text: &str) {
        let size = match level {
            1 => 18.0,
            2 => 13.0,
            _ => 11.0,
        } * self.scale;
        self.y -= size * 0.6;
        self.room(size * 2.5);
        self.show(b"F2", size, MARGIN, text);
        self.y -= size + 6.0;
    }

    /// A paragraph, wrapped to the page width.
    pub fn text(&mut self, text: &str) {
        let size = 10.0 * self.scale;
        let per_line = (self.width() / (size * 0.52)) as usize;
        for line in wrap(text, per_line.max(20)) {
            self.room(size + 4.0);
            self.show(b"F1", size, MARGIN, &line);
            self.y -= size + 4.0;
        }
    }

    /// A large number with its label (posters).
    pub fn big_number(&mut self, number: &str, label: &str) {
        let size = 26.0 * self.scale;
        self.room(size + 14.0 * self.scale);
        self.show(b"F2", size, MARGIN, number);
        let x = MARGIN + text_width(number, size) + 12.0;
        self.show(b"F1", 12.0 * self.scale, x, label);
        self.y -= size + 8.0;
    }

    /// A table; the first row is the header. Columns are sized to their longest text and cut
    /// to fit the page.
    pub fn table(&mut self, header: &[String], rows: &[Vec<Cell>]) {
        let size = 9.0 * self.scale;
        let line = size + 5.0;
        let cell_text = |c: &Cell| match c {
            Cell::Int(n) => n.to_string(),
            Cell::Text(s) => s.clone(),
        };
        let n = header.len().max(1);
        let mut want: Vec<f32> = header.iter().map(|h| text_width(h, size) + 8.0).collect();
        for r in rows {
            for (i, c) in r.iter().enumerate().take(n) {
                want[i] = want[i].max(text_width(&cell_text(c), size) + 8.0);
            }
        }
        let total: f32 = want.iter().sum();
        let widths: Vec<f32> = if total > self.width() {
            want.iter().map(|w| w / total * self.width()).collect()
        } else {
            want
        };
        let fit = |s: &str, w: f32| -> String {
            let max = ((w - 6.0) / (size * 0.52)).max(1.0) as usize;
            if s.chars().count() <= max {
                s.to_string()
            } else {
                let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
                t.push('~');
                t
            }
        };
        let row_out = |doc: &mut Doc, cells: Vec<String>, font: &[u8]| {
            doc.room(line);
            let mut x = MARGIN;
            for (i, s) in cells.iter().enumerate().take(n) {
                doc.show(font, size, x, &fit(s, widths[i]));
                x += widths[i];
            }
            doc.y -= line;
        };
        row_out(self, header.to_vec(), b"F2");
        let (x0, x1) = (MARGIN, MARGIN + widths.iter().sum::<f32>());
        let y = self.y + line - 3.0;
        self.current.set_line_width(0.5);
        self.current.move_to(x0, y);
        self.current.line_to(x1, y);
        self.current.stroke();
        for r in rows {
            row_out(self, r.iter().map(cell_text).collect(), b"F1");
        }
        self.y -= 6.0;
    }

    /// A QR code of `target` with a caption beside it.
    pub fn qr(&mut self, target: &str, caption: &str) {
        let module = 2.5 * self.scale;
        let side = 41.0 * module;
        self.room(side + 10.0);
        self.flush();
        self.page_bytes
            .extend_from_slice(&qr_operations(target, MARGIN, self.y - side, module));
        let top = self.y;
        self.y = top - side / 2.0;
        self.show(b"F1", 10.0 * self.scale, MARGIN + side + 14.0, caption);
        self.y -= 14.0 * self.scale;
        self.show(b"F1", 8.0 * self.scale, MARGIN + side + 14.0, target);
        self.y = top - side - 10.0;
    }

    /// The finished PDF.
    pub fn finish(mut self) -> Vec<u8> {
        self.new_page();
        let (w, h) = self.paper.size();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let (regular, bold) = (Ref::new(3), Ref::new(4));
        let first = 5;
        let n = self.pages.len() as i32;
        let page_ref = |i: i32| Ref::new(first + 2 * i);
        let content_ref = |i: i32| Ref::new(first + 2 * i + 1);
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids((0..n).map(page_ref)).count(n);
        standard_fonts(&mut pdf, regular, bold);
        for (i, bytes) in self.pages.iter().enumerate() {
            let i = i as i32;
            let mut p = pdf.page(page_ref(i));
            p.media_box(Rect::new(0.0, 0.0, w, h));
            p.parent(tree);
            p.contents(content_ref(i));
            p.resources()
                .fonts()
                .pair(Name(b"F1"), regular)
                .pair(Name(b"F2"), bold);
            p.finish();
            pdf.stream(content_ref(i), bytes);
        }
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tables_flow_onto_more_pages_and_text_stays_searchable() {
        let mut d = Doc::new(Paper::A4, 1.0);
        d.heading(1, "Laporan Bulanan");
        d.text("Puskesos Desa Uji");
        let rows: Vec<Vec<Cell>> = (0..120)
            .map(|i| vec![Cell::Text(format!("baris {i}")), Cell::Int(i)])
            .collect();
        d.table(&["Uraian".into(), "Jumlah".into()], &rows);
        d.qr("http://127.0.0.1/status", "Cek status");
        let pdf = d.finish();
        let s = String::from_utf8_lossy(&pdf);
        assert!(s.starts_with("%PDF-"));
        assert!(s.contains("(baris 119)"), "the last row is written");
        // 14 pt a row on 742 pt of page: about 53 rows a page, so three pages.
        assert!(s.contains("/Count 3"), "120 rows take three A4 pages");
        let mut a3 = Doc::new(Paper::A3, 1.4);
        a3.big_number("1.234", "keluarga");
        assert!(String::from_utf8_lossy(&a3.finish()).contains("1191"));
    }
}
