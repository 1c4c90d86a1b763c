//! Saved queue views: filters kept in `$XDG_CONFIG_HOME/beian/views.toml`, one
//! list per user, recalled from the `:` palette.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    views: Vec<String>,
}

pub fn path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("beian").join("views.toml"))
}

/// The saved views; a missing or unreadable file is no views.
pub fn load(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| toml::from_str::<File>(&t).ok())
        .map(|f| f.views)
        .unwrap_or_default()
}

pub fn save(path: &Path, views: &[String]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = toml::to_string(&File { views: views.to_vec() }).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("beian/views.toml");
        assert!(super::load(&p).is_empty());
        super::save(&p, &["status:new system:一卡通".into(), "channel:email".into()]).unwrap();
        assert_eq!(
            super::load(&p),
            vec!["status:new system:一卡通".to_string(), "channel:email".to_string()]
        );
    }
}
