//! Company, charity and VAT registration numbers normalised to the forms the registers use.

/// Company numbers are 8 characters: digits zero-padded (`1234567` → `01234567`), or a two-letter
/// prefix and six digits (`SC123456`, `NI…`, `OC…`, `IP…`, `RS…`). `None` for anything else.
pub fn normalise_company_number(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if t.is_empty() || t.len() > 8 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return (!t.trim_start_matches('0').is_empty()).then(|| format!("{t:0>8}"));
    }
    let (p, rest) = t.split_at(2.min(t.len()));
    if p.chars().all(|c| c.is_ascii_alphabetic())
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!("{p}{rest:0>6}"));
    }
    None
}

/// Charity numbers: digits (England and Wales, 6–7 digits; a linked charity written `1234567-1`
/// keeps the main number), or `SC`/`NIC` numbers. `None` for anything else.
pub fn normalise_charity_number(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let main = t.split(['-', '/']).next().unwrap_or("");
    if main.is_empty() || main.len() > 10 {
        return None;
    }
    if main.chars().all(|c| c.is_ascii_digit()) {
        let n = main.trim_start_matches('0');
        return (!n.is_empty()).then(|| n.to_string());
    }
    if (main.starts_with("SC") || main.starts_with("NIC"))
        && main.chars().skip(2).all(|c| c.is_ascii_alphanumeric())
    {
        return Some(main.to_string());
    }
    None
}

/// VAT numbers without `GB`, spaces or punctuation: 9 or 12 digits (or GD/HA + 3). `None` otherwise.
pub fn normalise_vat_number(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    let t = t.strip_prefix("GB").unwrap_or(&t);
    if (t.len() == 9 || t.len() == 12) && t.chars().all(|c| c.is_ascii_digit()) {
        return Some(t.to_string());
    }
    if t.len() == 5
        && (t.starts_with("GD") || t.starts_with("HA"))
        && t[2..].chars().all(|c| c.is_ascii_digit())
    {
        return Some(t.to_string());
    }
    None
}
