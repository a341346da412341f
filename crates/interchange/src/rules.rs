//! Rule files from disk: a district's own program rules and PMT models, read beside the ones
//! shipped in the binary. `DIR/*.toml` are program rules (a file replaces the shipped program
//! of the same code when its effective date is the same or later); `DIR/pmt/*.toml` are PMT
//! models (one without `kab_kota` replaces the shipped default).

use std::path::Path;

use chrono::NaiveDate;
use puskesos_domain::rules::assess::Assessor;
use puskesos_domain::rules::pmt::{PmtModel, PmtModels};
use puskesos_domain::rules::{RuleFileError, RuleSet};

fn read_toml_files(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p)?;
        files.push((p.display().to_string(), text));
    }
    Ok(files)
}

/// Why rules could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{0}")]
    File(#[from] RuleFileError),
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

/// Program rule files: the shipped ones, then those of `dir` (later ones win).
pub fn program_files(dir: Option<&Path>) -> Result<Vec<(String, String)>, RulesError> {
    let mut files = RuleSet::builtin_files();
    if let Some(d) = dir {
        files.extend(read_toml_files(d).map_err(|cause| RulesError::Io {
            path: d.display().to_string(),
            cause,
        })?);
    }
    Ok(files)
}

/// The assessor for day `on`: shipped rules and models, overridden from `dir` when given.
pub fn load_assessor(dir: Option<&Path>, on: NaiveDate) -> Result<Assessor, RulesError> {
    let mut assessor = Assessor::builtin(on);
    let Some(d) = dir else {
        return Ok(assessor);
    };
    assessor.rules = RuleSet::from_files(&program_files(dir)?, on)?;
    let pmt_dir = d.join("pmt");
    let mut models: Vec<PmtModel> = Vec::new();
    for (name, text) in read_toml_files(&pmt_dir).map_err(|cause| RulesError::Io {
        path: pmt_dir.display().to_string(),
        cause,
    })? {
        models.push(PmtModel::parse(&name, &text)?);
    }
    if !models.iter().any(|m| m.kab_kota.is_empty()) {
        models.extend(PmtModels::builtin().models);
    }
    assessor.pmt = PmtModels { models };
    Ok(assessor)
}
