//! Admin: a new install's first steps, in order, each showing whether it is done (also shown on the
//! home page to admins until every step is).

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use levers_app::procurement::LOCAL_LADS;
use levers_store::Store;

/// One first-run step.
pub struct SetupStep {
    pub title: &'static str,
    pub what: &'static str,
    pub href: &'static str,
    pub action: &'static str,
    pub done: bool,
    /// What has been done, when it is (e.g. "3 files loaded").
    pub status: String,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The first-run steps in the order a council takes them.
pub async fn setup_steps(store: &Store) -> Result<Vec<SetupStep>, AppError> {
    let p = store.setup_progress().await?;
    let local = store.setting(LOCAL_LADS).await?.unwrap_or_default();
    let areas = local.split(',').filter(|c| !c.trim().is_empty()).count() as i64;
    Ok(vec![
        SetupStep {
            title: "Load geography",
            what: "Postcodes, the Indices of Deprivation and the area lookups, so suppliers, wards and residents can be placed.",
            href: "/admin/geography#upload",
            action: "Upload geography files",
            done: p.geo_datasets > 0,
            status: plural(p.geo_datasets, "file loaded", "files loaded"),
        },
        SetupStep {
            title: "Set the council's areas",
            what: "The council's name, its own area and the wider area, chosen from the loaded districts.",
            href: "/admin/settings",
            action: "Set the council's areas",
            done: areas > 0,
            status: plural(
                areas,
                "district in the council's area",
                "districts in the council's area",
            ),
        },
        SetupStep {
            title: "Import spending",
            what: "The council's \"spending over £500\" files: checked, corrected and imported.",
            href: "/procurement/upload",
            action: "Upload a spending file",
            done: p.spend_imports > 0,
            status: plural(p.spend_imports, "file imported", "files imported"),
        },
        SetupStep {
            title: "Import supplier records",
            what: "The creditor file: postcodes, branches, company and charity numbers, so spend can be located.",
            href: "/procurement/suppliers",
            action: "Import supplier records",
            done: p.supplier_imports > 0,
            status: plural(p.supplier_imports, "file imported", "files imported"),
        },
        SetupStep {
            title: "Set up a community budget",
            what: "A vote in chosen wards: the pot, the ballot and the phases from ideas to results.",
            href: "/community-budgets/new",
            action: "Set up a community budget",
            done: p.pb_processes > 0,
            status: plural(p.pb_processes, "community budget", "community budgets"),
        },
        SetupStep {
            title: "Start the co-production register",
            what: "Each commissioning activity and how residents are involved at each stage.",
            href: "/co-production/register",
            action: "Start the register",
            done: p.register_activities > 0,
            status: plural(p.register_activities, "activity", "activities"),
        },
    ])
}

pub async fn setup(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "admin", "First steps").await?;
    let steps = setup_steps(&state.store).await?;
    render(&SetupPage { chrome, steps })
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub steps: Vec<SetupStep>,
}

impl SetupPage {
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }
}
