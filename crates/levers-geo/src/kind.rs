//! Recognises a geography file by its header (never its name) and finds the columns levers needs.

use std::fmt;

use serde::Serialize;

/// The kinds of file levers imports, recognised from their header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// ONS Postcode Directory: `pcd, pcds, doterm, oslaua, osward, lsoa11, lsoa21, lat, long …`.
    Onspd,
    /// National Statistics Postcode Lookup (best-fit): `pcd, laua, ward …`.
    Nspl,
    /// National Statistics Postcode Directory (since Nov 2025), vintage-suffixed: `pcd7, lad25cd …`.
    Nspd,
    /// A tidy postcode list: `postcode, ward_code, lsoa_code, la_code …` (LSOA codes taken as 2021).
    TidyPostcodes,
    /// English Indices of Deprivation 2019 (LSOA 2011): File 1 ranks and deciles.
    Iod2019File1,
    /// IoD2019 File 2: domains of deprivation.
    Iod2019File2,
    /// IoD2019 File 7 (or any file with scores): all ranks, deciles and scores.
    Iod2019File7,
    /// English Indices of Deprivation 2025 (LSOA 2021), any file with IMD rank and decile.
    Iod2025,
    /// LSOA 2011 → LSOA 2021 best-fit lookup.
    Lsoa11To21,
    /// LSOA → MSOA → LAD → region lookup (either LSOA vintage).
    LsoaHierarchy,
    /// LSOA 2021 → ward lookup.
    LsoaToWard,
    /// Ward → LAD lookup.
    WardToLad,
}

impl FileKind {
    pub const ALL: [FileKind; 12] = [
        FileKind::Onspd,
        FileKind::Nspl,
        FileKind::Nspd,
        FileKind::TidyPostcodes,
        FileKind::Iod2019File1,
        FileKind::Iod2019File2,
        FileKind::Iod2019File7,
        FileKind::Iod2025,
        FileKind::Lsoa11To21,
        FileKind::LsoaHierarchy,
        FileKind::LsoaToWard,
        FileKind::WardToLad,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Onspd => "onspd",
            FileKind::Nspl => "nspl",
            FileKind::Nspd => "nspd",
            FileKind::TidyPostcodes => "tidy_postcodes",
            FileKind::Iod2019File1 => "iod2019_file1",
            FileKind::Iod2019File2 => "iod2019_file2",
            FileKind::Iod2019File7 => "iod2019_file7",
            FileKind::Iod2025 => "iod2025",
            FileKind::Lsoa11To21 => "lsoa11_to_lsoa21",
            FileKind::LsoaHierarchy => "lsoa_hierarchy",
            FileKind::LsoaToWard => "lsoa_to_ward",
            FileKind::WardToLad => "ward_to_lad",
        }
    }

    pub fn from_name(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How a person would name it, with the columns that identify it.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Onspd => {
                "ONS Postcode Directory (ONSPD: pcd, oslaua, osward, lsoa11/lsoa21 …)"
            }
            FileKind::Nspl => "National Statistics Postcode Lookup (NSPL: pcd, laua, ward …)",
            FileKind::Nspd => "National Statistics Postcode Directory (NSPD: pcd7, ladNNcd …)",
            FileKind::TidyPostcodes => "postcode list (postcode, ward_code, lsoa_code, la_code …)",
            FileKind::Iod2019File1 => "IoD2019 File 1 (LSOA code (2011), IMD rank and decile)",
            FileKind::Iod2019File2 => "IoD2019 File 2 (IMD and domain ranks and deciles)",
            FileKind::Iod2019File7 => "IoD2019 File 7 (all ranks, deciles and scores)",
            FileKind::Iod2025 => "IoD2025 (LSOA code (2021), IMD rank and decile)",
            FileKind::Lsoa11To21 => "LSOA 2011 to 2021 best-fit lookup (LSOA11CD, LSOA21CD)",
            FileKind::LsoaHierarchy => {
                "LSOA to MSOA, LAD and region lookup (lsoaNNcd, msoaNNcd, ladNNcd, rgnNNcd)"
            }
            FileKind::LsoaToWard => "LSOA to ward lookup (lsoa21cd, wdNNcd)",
            FileKind::WardToLad => "ward to LAD lookup (wdNNcd, ladNNcd)",
        }
    }

    pub fn is_postcodes(self) -> bool {
        matches!(
            self,
            FileKind::Onspd | FileKind::Nspl | FileKind::Nspd | FileKind::TidyPostcodes
        )
    }

    pub fn is_deprivation(self) -> bool {
        matches!(
            self,
            FileKind::Iod2019File1
                | FileKind::Iod2019File2
                | FileKind::Iod2019File7
                | FileKind::Iod2025
        )
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header cell as compared: BOM and padding gone, lower case, single spaces.
pub fn normalise_header(h: &str) -> String {
    let h = h.trim_start_matches('\u{feff}').trim_start_matches("ï»¿");
    h.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// True for `prefix` + two digits + `suffix`, such as `lad25cd` for ("lad", "cd").
fn vintaged(h: &str, prefix: &str, suffix: &str) -> bool {
    h.len() == prefix.len() + 2 + suffix.len()
        && h.starts_with(prefix)
        && h.ends_with(suffix)
        && h[prefix.len()..prefix.len() + 2]
            .bytes()
            .all(|b| b.is_ascii_digit())
}

/// The header, normalised, with helpers to find columns.
pub struct Header {
    pub cells: Vec<String>,
}

impl Header {
    pub fn new<'a>(raw: impl IntoIterator<Item = &'a str>) -> Header {
        Header {
            cells: raw.into_iter().map(normalise_header).collect(),
        }
    }

    /// The first column named exactly one of `names`.
    pub fn exact(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.cells.iter().position(|c| c == n))
    }

    /// The first column named `prefix` + two digits + `suffix` (a vintage-suffixed name), newest first.
    pub fn vintaged(&self, prefix: &str, suffix: &str) -> Option<usize> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| vintaged(c, prefix, suffix))
            .max_by_key(|(_, c)| c[prefix.len()..prefix.len() + 2].to_string())
            .map(|(i, _)| i)
    }

    /// The column with this exact vintage, e.g. (`lsoa`, `11`, `cd`).
    pub fn vintage_exact(&self, prefix: &str, yy: &str, suffixes: &[&str]) -> Option<usize> {
        suffixes
            .iter()
            .find_map(|s| self.exact(&[&format!("{prefix}{yy}{s}")]))
    }

    /// The first column that starts with `prefix`.
    pub fn starting(&self, prefix: &str) -> Option<usize> {
        self.cells.iter().position(|c| c.starts_with(prefix))
    }

    pub fn has(&self, names: &[&str]) -> bool {
        self.exact(names).is_some()
    }
}

/// The kind of a file, from its header; `None` when it is none levers knows.
pub fn detect(h: &Header) -> Option<FileKind> {
    let iod_lsoa11 = h.has(&["lsoa code (2011)"]);
    let iod_lsoa21 = h.has(&["lsoa code (2021)"]);
    let imd_rank = h
        .starting("index of multiple deprivation (imd) rank")
        .is_some();
    if (iod_lsoa11 || iod_lsoa21) && imd_rank {
        if iod_lsoa21 {
            return Some(FileKind::Iod2025);
        }
        if h.starting("index of multiple deprivation (imd) score")
            .is_some()
        {
            return Some(FileKind::Iod2019File7);
        }
        if h.starting("income rank").is_some() {
            return Some(FileKind::Iod2019File2);
        }
        return Some(FileKind::Iod2019File1);
    }
    let postcode_col = h.has(&["pcd", "pcds", "pcd2", "pcd7", "pcd8"]);
    if postcode_col && h.has(&["oslaua"]) {
        return Some(FileKind::Onspd);
    }
    if postcode_col && h.has(&["laua"]) {
        return Some(FileKind::Nspl);
    }
    if postcode_col && h.vintaged("lad", "cd").is_some() {
        return Some(FileKind::Nspd);
    }
    if h.has(&["postcode"])
        && (h.has(&["la_code", "lad_code"]) || h.has(&["ward_code"]) || h.has(&["lsoa_code"]))
    {
        return Some(FileKind::TidyPostcodes);
    }
    let lsoa11 = h.vintage_exact("lsoa", "11", &["cd"]);
    let lsoa21 = h.vintage_exact("lsoa", "21", &["cd"]);
    if lsoa11.is_some() && lsoa21.is_some() {
        return Some(FileKind::Lsoa11To21);
    }
    let lsoa = lsoa11.or(lsoa21);
    if lsoa.is_some() && h.vintaged("msoa", "cd").is_some() && h.vintaged("lad", "cd").is_some() {
        return Some(FileKind::LsoaHierarchy);
    }
    if lsoa.is_some() && h.vintaged("wd", "cd").is_some() {
        return Some(FileKind::LsoaToWard);
    }
    if h.vintaged("wd", "cd").is_some() && h.vintaged("lad", "cd").is_some() {
        return Some(FileKind::WardToLad);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(header: &str) -> Option<FileKind> {
        detect(&Header::new(header.split(',')))
    }

    #[test]
    fn recognises_real_headers() {
        assert_eq!(
            kind(
                "\u{feff}LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile"
            ),
            Some(FileKind::Iod2019File1)
        );
        assert_eq!(
            kind(
                "LSOA code (2011),LSOA name (2011),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Income Rank (where 1 is most deprived)"
            ),
            Some(FileKind::Iod2019File2)
        );
        assert_eq!(
            kind(
                "LSOA code (2011),Index of Multiple Deprivation (IMD) Score,Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
            ),
            Some(FileKind::Iod2019File7)
        );
        assert_eq!(
            kind(
                "LSOA code (2021),LSOA name (2021),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
            ),
            Some(FileKind::Iod2025)
        );
        assert_eq!(
            kind("pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,lsoa11,lsoa21,lat,long"),
            Some(FileKind::Onspd)
        );
        assert_eq!(
            kind("pcd,pcd2,pcds,dointr,doterm,laua,ward,lsoa21,lat,long"),
            Some(FileKind::Nspl)
        );
        assert_eq!(kind("pcd7,lad25cd,east1m,north1m"), Some(FileKind::Nspd));
        assert_eq!(
            kind(
                "postcode,ward_code,ward_name,msoa_code,msoa_hcl_name,lsoa_code,lsoa_name,locality,la_code,la_name,lon,lat"
            ),
            Some(FileKind::TidyPostcodes)
        );
        assert_eq!(
            kind("\u{feff}ObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW"),
            Some(FileKind::Lsoa11To21)
        );
        assert_eq!(
            kind("lsoa11cd,lsoa11nm,msoa11cd,msoa11nm,lad17cd,lad17nm,rgn11cd,rgn11nm,ctry11cd"),
            Some(FileKind::LsoaHierarchy)
        );
        assert_eq!(
            kind("lsoa21cd,lsoa21nm,wd22cd,wd22nm,lad22cd,lad22nm"),
            Some(FileKind::LsoaToWard)
        );
        assert_eq!(
            kind("wd22cd,wd22nm,lad22cd,lad22nm"),
            Some(FileKind::WardToLad)
        );
        assert_eq!(
            kind("oa21cd,lsoa21cd,lsoa21nm,msoa21cd,msoa21nm,lad22cd,lad22nm"),
            Some(FileKind::LsoaHierarchy)
        );
        assert_eq!(kind("Date,Supplier,Amount"), None);
    }

    #[test]
    fn newest_vintage_wins() {
        let h = Header::new("lad21cd,lad25cd,lad9cd".split(','));
        assert_eq!(h.vintaged("lad", "cd"), Some(1));
    }
}
