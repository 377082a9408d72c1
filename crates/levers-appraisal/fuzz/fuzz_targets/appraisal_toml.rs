//! Fuzz target: any text given as an appraisal file either fails with an error or gives a model that
//! writes back to the same model, and computing it (and its sensitivity) never panics.
#![no_main]

use levers_appraisal::{Appraisal, Deflators, resolve, results};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(model) = Appraisal::from_toml("fuzz.toml", &text) else {
        return;
    };
    let again =
        Appraisal::from_toml("again.toml", &model.to_toml()).expect("what we write we read");
    assert_eq!(again, model);
    let deflators = Deflators::from_pairs([]);
    if let Ok(r) = resolve(&model, &|_| None, Some(&deflators)) {
        let r = results(&r);
        assert_eq!(r.sensitivity.len(), 6);
    }
});
