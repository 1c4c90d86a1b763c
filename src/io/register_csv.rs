//! The register from CSV (issue 17): people, departments and vendors, one file
//! per kind, a header row naming the columns (English or Chinese). Parsing is
//! complete before anything is written; a bad row is refused with its file,
//! line and field, and the rows go to the core as one `RegisterImport`
//! (all or nothing), which checks every address.
//!
//! | kind | columns |
//! | --- | --- |
//! | people | name 姓名, department 部门, email 邮箱, phone 电话, lang 语言, login 登录名 |
//! | departments | name 名称, head 负责人, distribution 分发列表 (addresses separated by `;` or spaces) |
//! | vendors | name 名称, contacts 联系人 (separated by `;`), support 支持渠道 |

use std::path::Path;

use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{DepartmentFields, Labelled, PersonFields, VendorFields};

/// The largest register file read.
pub const MAX_FILE: u64 = 16 << 20;

/// A header's column for a field: its English name or one of its Chinese names.
fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

/// The rows of `text` (the file `label`) as (label:line, cells by field).
fn rows(text: &str, label: &str, fields: &[(&str, &[&str])]) -> Result<Vec<(String, Vec<String>)>> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| Error::input(label, "", &e.to_string()))?
        .clone();
    let cols: Vec<Option<usize>> = fields.iter().map(|(_, names)| column(&headers, names)).collect();
    if cols[0].is_none() {
        return Err(Error::input(
            &format!("{label}:1"),
            &headers.iter().collect::<Vec<_>>().join(","),
            &t("register.expected.header", &[("column", fields[0].0.to_string())]),
        ));
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::input(&format!("{label}:{line}"), "", &e.to_string())
        })?;
        let line = rec.position().map(|p| line_at(text, p.byte() as usize)).unwrap_or(0);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = cols
            .iter()
            .map(|c| c.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string())
            .collect();
        out.push((format!("{label}:{line}"), cells));
    }
    Ok(out)
}

/// The line a record starting at byte `b` begins on (blank lines before it,
/// which the reader skips, are not its line).
fn line_at(text: &str, b: usize) -> u64 {
    let b = b.min(text.len());
    let start = b + text[b..].len() - text[b..].trim_start_matches(['\r', '\n']).len();
    text.as_bytes()[..start].iter().filter(|c| **c == b'\n').count() as u64 + 1
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', ',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn read(path: &Path) -> Result<(String, String)> {
    let bytes = crate::fsutil::read_regular(path, MAX_FILE, crate::fsutil::Purpose::Read)?;
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = String::from_utf8(bytes).map_err(|_| Error::input(&label, "", &t("cli.expected.utf8_file", &[])))?;
    Ok((label, text))
}

pub fn people(text: &str, label: &str) -> Result<Vec<Labelled<PersonFields>>> {
    let fields: [(&str, &[&str]); 6] = [
        ("name", &["name", "姓名"]),
        ("department", &["department", "部门", "单位"]),
        ("email", &["email", "邮箱", "电子邮件"]),
        ("phone", &["phone", "电话", "手机"]),
        ("lang", &["lang", "language", "语言"]),
        ("login", &["login", "登录名", "用户名"]),
    ];
    Ok(rows(text, label, &fields)?
        .into_iter()
        .map(|(label, c)| Labelled {
            label,
            row: PersonFields {
                name: c[0].clone(),
                department: c[1].clone(),
                email: c[2].clone(),
                phone: c[3].clone(),
                lang: c[4].clone(),
                login: c[5].clone(),
            },
        })
        .collect())
}

pub fn departments(text: &str, label: &str) -> Result<Vec<Labelled<DepartmentFields>>> {
    let fields: [(&str, &[&str]); 3] = [
        ("name", &["name", "名称", "部门"]),
        ("head", &["head", "负责人"]),
        ("distribution", &["distribution", "分发列表", "邮件列表"]),
    ];
    Ok(rows(text, label, &fields)?
        .into_iter()
        .map(|(label, c)| Labelled {
            label,
            row: DepartmentFields {
                name: c[0].clone(),
                head: c[1].clone(),
                distribution: split_list(&c[2]),
            },
        })
        .collect())
}

pub fn vendors(text: &str, label: &str) -> Result<Vec<Labelled<VendorFields>>> {
    let fields: [(&str, &[&str]); 3] = [
        ("name", &["name", "名称", "厂商"]),
        ("contacts", &["contacts", "联系人"]),
        ("support", &["support", "支持渠道"]),
    ];
    Ok(rows(text, label, &fields)?
        .into_iter()
        .map(|(label, c)| Labelled {
            label,
            row: VendorFields {
                name: c[0].clone(),
                contacts: c[1]
                    .split([';', '；'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(String::from)
                    .collect(),
                support: c[2].clone(),
            },
        })
        .collect())
}

/// Read the files named for each kind.
pub fn read_files(
    people_files: &[std::path::PathBuf],
    department_files: &[std::path::PathBuf],
    vendor_files: &[std::path::PathBuf],
) -> Result<crate::service::Command> {
    let mut p = Vec::new();
    let mut d = Vec::new();
    let mut v = Vec::new();
    for f in people_files {
        let (label, text) = read(f)?;
        p.extend(people(&text, &label)?);
    }
    for f in department_files {
        let (label, text) = read(f)?;
        d.extend(departments(&text, &label)?);
    }
    for f in vendor_files {
        let (label, text) = read(f)?;
        v.extend(vendors(&text, &label)?);
    }
    Ok(crate::service::Command::RegisterImport {
        people: p,
        departments: d,
        vendors: v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_their_file_and_line_and_chinese_headers_are_read() {
        let text = "姓名,部门,邮箱,电话\n王老师,教务处,wang@example.edu.cn,\n\n\"李\n同学\",学生处,,13800000000\n";
        let rows = people(text, "people.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].label, "people.csv:2");
        assert_eq!(rows[0].row.email, "wang@example.edu.cn");
        assert_eq!(rows[1].label, "people.csv:4");
        assert_eq!(rows[1].row.phone, "13800000000");
        let e = people("email\nx@example.edu.cn\n", "p.csv").unwrap_err();
        assert!(e.message().contains("p.csv:1"), "{}", e.message());
        let d = departments(
            "name,distribution\n教务处,a@example.edu.cn; b@example.edu.cn\n",
            "d.csv",
        )
        .unwrap();
        assert_eq!(d[0].row.distribution, ["a@example.edu.cn", "b@example.edu.cn"]);
    }
}
