//! Charset labels as mail arrives with them, resolved through one table.
//!
//! A label is first normalised — blanks and quotes around it removed, an RFC
//! 2231 language suffix (`gb2312*zh-cn`) cut, case folded — then looked up
//! among the aliases that common mail libraries and clients write but the
//! WHATWG Encoding Standard does not list ([`MAIL_ALIASES`]: `cp936`,
//! `euc-cn`, `gb18030-2000`, `cp950` …), and finally resolved by
//! `encoding_rs::Encoding::for_label`, which knows every WHATWG label (`gbk`,
//! `x-gbk`, `gb_2312-80`, `csgb2312`, `big5-hkscs`, `unicode-1-1-utf-8`,
//! `utf8` …). Everything that reads a charset name — the email importer, the
//! `--encoding` option — goes through [`encoding_for`].

use encoding_rs::Encoding;

/// Aliases written by mail libraries and clients (Outlook and Outlook Express,
/// Foxmail, JavaMail, .NET, Python's email package, PHP's mb_* and iconv …)
/// that are not WHATWG labels, with the WHATWG label of the same encoding.
/// The GB family resolves to GB18030, which decodes GB2312 and GBK text
/// exactly and the characters GBK-labelled mail often holds beyond them.
pub const MAIL_ALIASES: &[(&str, &str)] = &[
    // GB2312 / GBK / GB18030
    ("cp936", "gb18030"),
    ("ms936", "gb18030"),
    ("windows-936", "gb18030"),
    ("x-windows-936", "gb18030"),
    ("ibm-1386", "gb18030"),
    ("euc-cn", "gb18030"),
    ("euc_cn", "gb18030"),
    ("euccn", "gb18030"),
    ("x-euc-cn", "gb18030"),
    ("eucgb2312_cn", "gb18030"),
    ("eucgb2312-cn", "gb18030"),
    ("gb2312-80", "gb18030"),
    ("gb2312-1980", "gb18030"),
    ("gb_2312-1980", "gb18030"),
    ("x-gb2312", "gb18030"),
    ("hz-gb-2312-8bit", "gb18030"),
    ("gb18030-2000", "gb18030"),
    ("gb18030-2005", "gb18030"),
    ("gb18030-2022", "gb18030"),
    ("gb-18030", "gb18030"),
    ("gb_18030", "gb18030"),
    ("x-gb18030", "gb18030"),
    // Big5
    ("cp950", "big5"),
    ("ms950", "big5"),
    ("windows-950", "big5"),
    ("x-windows-950", "big5"),
    ("x-big5", "big5"),
    ("big-5", "big5"),
    ("big-five", "big5"),
    ("bigfive", "big5"),
    ("big5hkscs", "big5-hkscs"),
    ("big5_hkscs", "big5-hkscs"),
    ("x-big5-hkscs", "big5-hkscs"),
    ("cp951", "big5-hkscs"),
    // UTF-8
    ("utf_8", "utf-8"),
    ("cp65001", "utf-8"),
    ("x-utf-8", "utf-8"),
    ("x-utf8", "utf-8"),
    ("utf-8n", "utf-8"),
    // US-ASCII and Latin-1 as mailers write them
    ("us_ascii", "us-ascii"),
    ("ascii7", "us-ascii"),
    ("iso_8859_1", "iso-8859-1"),
    ("latin-1", "iso-8859-1"),
    // Japanese and Korean, which Chinese mailboxes also see
    ("cp932", "shift_jis"),
    ("cp949", "euc-kr"),
    ("ms949", "euc-kr"),
    ("uhc", "euc-kr"),
];

/// The label as written, normalised for lookup: blanks and quotes around it
/// removed, an RFC 2231 language suffix (`*zh-cn`) cut, ASCII lower case.
pub fn normalize(label: &str) -> String {
    let l = label.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let l = l.split('*').next().unwrap_or(l);
    l.to_ascii_lowercase()
}

/// The encoding a charset label names, or `None` when beian does not know it
/// (then nothing labelled with it is decoded: a guess would store mojibake).
/// The WHATWG "replacement" encoding (labels of encodings that cannot be
/// decoded safely, such as `iso-2022-kr`) counts as unknown.
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let l = normalize(label);
    if l.is_empty() {
        return None;
    }
    let whatwg = MAIL_ALIASES
        .iter()
        .find(|(alias, _)| *alias == l)
        .map(|(_, w)| *w)
        .unwrap_or(&l);
    let enc = Encoding::for_label(whatwg.as_bytes())?;
    if enc == encoding_rs::REPLACEMENT {
        return None;
    }
    // GBK-labelled text often holds GB18030-only characters; GB18030 reads all of it.
    Some(if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    })
}

/// `bytes` decoded from `enc` without replacing anything: `None` when they are
/// not text in that encoding.
pub fn decode_strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_aliases_resolve() {
        for (label, name) in [
            ("GB2312", "gb18030"),
            ("gbk", "gb18030"),
            ("x-gbk", "gb18030"),
            ("cp936", "gb18030"),
            ("MS936", "gb18030"),
            ("windows-936", "gb18030"),
            ("gb_2312-80", "gb18030"),
            ("csgb2312", "gb18030"),
            ("EUC-CN", "gb18030"),
            ("x-euc-cn", "gb18030"),
            ("gb18030-2000", "gb18030"),
            ("big5-hkscs", "Big5"),
            ("cp950", "Big5"),
            ("x-big5", "Big5"),
            ("unicode-1-1-utf-8", "UTF-8"),
            ("utf8", "UTF-8"),
            ("\"UTF-8\"", "UTF-8"),
            (" 'Gb2312' ", "gb18030"),
            ("gb2312*zh-cn", "gb18030"),
            ("ISO-8859-1", "windows-1252"),
        ] {
            assert_eq!(encoding_for(label).map(|e| e.name()), Some(name), "{label}");
        }
        for label in ["", "x-unknown", "iso-2022-kr", "utf-7x", "\"\""] {
            assert_eq!(encoding_for(label), None, "{label}");
        }
    }

    /// Every alias names a WHATWG label (a typo in the table would make it useless).
    #[test]
    fn every_alias_resolves() {
        for (alias, whatwg) in MAIL_ALIASES {
            assert!(Encoding::for_label(whatwg.as_bytes()).is_some(), "{alias} → {whatwg}");
            assert!(
                Encoding::for_label(alias.as_bytes()).is_none(),
                "{alias} is a WHATWG label already"
            );
        }
    }

    #[test]
    fn strict_decoding_refuses_malformed_text() {
        let gbk = encoding_for("gbk").unwrap();
        assert_eq!(decode_strict(gbk, &[0xd1, 0xa1, 0xbf, 0xce]).as_deref(), Some("选课"));
        assert_eq!(decode_strict(gbk, &[0xd1, 0xa1, 0xbf]), None);
        assert_eq!(decode_strict(encoding_rs::UTF_8, &[0xd1, 0xa1, 0xbf, 0xce]), None);
    }
}
