//! Print-ready, self-contained HTML (issue 18 §2): the dossier and the update
//! notice for the paper archive a university keeps — A4, CJK fonts from the
//! system (a font-family stack, nothing embedded or fetched), a page break
//! before each section, a signature and stamp block at the end. Every text is
//! HTML-escaped: records hold untrusted text.

use super::notice::{notice_rows, NoticeDoc};
use super::sections::*;
use crate::i18n::t;
use crate::service::DossierView;

/// Text for HTML content or a quoted attribute: `& < > " '` escaped, control
/// and bidi characters removed.
pub fn html_escape(s: &str) -> String {
    let s = crate::sanitize::clean(s);
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Escaped, line breaks kept.
fn html_lines(s: &str) -> String {
    html_escape(s).replace('\n', "<br>")
}

const STYLE: &str = r#"@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
html { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", "Source Han Sans SC", "SimSun", "Songti SC", serif; font-size: 10.5pt; line-height: 1.5; color: #000; }
body { margin: 0; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 8mm 0; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; padding-bottom: 1mm; margin-top: 0; }
h3, h4, h5 { font-size: 11.5pt; margin: 4mm 0 2mm 0; }
section.top { break-before: page; page-break-before: always; }
section.top.first { break-before: auto; page-break-before: auto; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #444; padding: 1mm 2mm; vertical-align: top; text-align: left; word-break: break-word; }
th { background: #eee; }
table.fields th { width: 28%; }
p.nothing { color: #555; }
div.text { white-space: normal; margin: 2mm 0; }
.meta { font-size: 9pt; color: #333; }
section.sign { break-before: page; page-break-before: always; }
table.sign td { height: 22mm; }
table.sign td.label { width: 28%; }
.stamp { float: right; width: 42mm; height: 42mm; border: 1px dashed #888; border-radius: 50%; text-align: center; line-height: 42mm; color: #888; margin-top: 6mm; }
"#;

/// A whole page: the style, the title and `body`.
fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(lang),
        html_escape(title)
    )
}

fn block_html(o: &mut String, b: &Block) {
    match b {
        Block::Fields(fields) => {
            o.push_str("<table class=\"fields\">\n");
            for (label, value) in fields {
                o.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    html_escape(label),
                    html_lines(value)
                ));
            }
            o.push_str("</table>\n");
        }
        Block::Table { headers, rows } => {
            o.push_str("<table>\n<tr>");
            for h in headers {
                o.push_str(&format!("<th>{}</th>", html_escape(h)));
            }
            o.push_str("</tr>\n");
            for r in rows {
                o.push_str("<tr>");
                for c in r {
                    o.push_str(&format!("<td>{}</td>", html_lines(c)));
                }
                o.push_str("</tr>\n");
            }
            o.push_str("</table>\n");
        }
        Block::Text(text) => {
            for para in text.split("\n\n") {
                o.push_str(&format!("<div class=\"text\">{}</div>\n", html_lines(para)));
            }
        }
        Block::Nothing => o.push_str(&format!("<p class=\"nothing\">{}</p>\n", html_escape(&nothing()))),
    }
}

fn section_html(o: &mut String, s: &Section, level: usize) {
    let h = level.min(5);
    o.push_str(&format!("<h{h}>{}</h{h}>\n", html_escape(&s.title)));
    for b in &s.blocks {
        block_html(o, b);
    }
    for sub in &s.subsections {
        section_html(o, sub, level + 1);
    }
}

/// The signature and stamp block: who handled, checked and approved the
/// filing, and the office's stamp.
fn sign_block(o: &mut String) {
    o.push_str("<section class=\"sign\">\n");
    o.push_str(&format!("<h2>{}</h2>\n", html_escape(&t("export.html.sign", &[]))));
    o.push_str("<table class=\"sign\">\n");
    for key in [
        "export.html.sign.handler",
        "export.html.sign.checker",
        "export.html.sign.approver",
    ] {
        o.push_str(&format!(
            "<tr><td class=\"label\">{}</td><td></td><td class=\"label\">{}</td><td></td></tr>\n",
            html_escape(&t(key, &[])),
            html_escape(&t("export.html.sign.date", &[]))
        ));
    }
    o.push_str("</table>\n");
    o.push_str(&format!(
        "<div class=\"stamp\">{}</div>\n",
        html_escape(&t("export.html.sign.stamp", &[]))
    ));
    o.push_str("</section>\n");
}

/// The dossier as one print-ready page: the title, every section of
/// [`dossier_sections`] starting on a new page, the seal lines given
/// (`seal`: label and value, e.g. the record's SHA-256 and the chain head),
/// and the signature block.
pub fn dossier_html(v: &DossierView, seal: &[(String, String)]) -> String {
    let title = dossier_title(v);
    let mut o = format!("<h1>{}</h1>\n", html_escape(&title));
    if !seal.is_empty() {
        o.push_str("<table class=\"fields meta\">\n");
        for (label, value) in seal {
            o.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>\n",
                html_escape(label),
                html_escape(value)
            ));
        }
        o.push_str("</table>\n");
    }
    for (k, s) in dossier_sections(v).iter().enumerate() {
        o.push_str(if k == 0 {
            "<section class=\"top first\">\n"
        } else {
            "<section class=\"top\">\n"
        });
        section_html(&mut o, s, 2);
        o.push_str("</section>\n");
    }
    sign_block(&mut o);
    page(&crate::i18n::current(), &title, &o)
}

/// The update notice as one print-ready page, in the notice's language.
pub fn notice_html(doc: &NoticeDoc) -> String {
    let lang = doc.language.as_str();
    let mut o = format!("<h1>{}</h1>\n<table class=\"fields\">\n", html_escape(&doc.title()));
    for (label, value) in notice_rows(doc) {
        o.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            html_escape(&label),
            html_lines(&value)
        ));
    }
    o.push_str("</table>\n");
    o.push_str(&format!("<h2>{}</h2>\n", html_escape(&doc.label("export.notice.text"))));
    for para in doc.text.split("\n\n") {
        o.push_str(&format!("<div class=\"text\">{}</div>\n", html_lines(para)));
    }
    page(lang, &doc.title(), &o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"q\"\u{202e}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html_lines("a\n<b>"), "a<br>&lt;b&gt;");
    }
}
