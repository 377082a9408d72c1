//! The home page and each section's landing page (what works there now and what is coming), and the
//! 404 page.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
pub(crate) use crate::page::chrome;
pub(crate) use crate::page::render;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::response::Response;

struct Section {
    /// Pages of the section that already work: (href, label, description).
    links: &'static [(&'static str, &'static str, &'static str)],
    key: &'static str,
    href: &'static str,
    title: &'static str,
    summary: &'static str,
    coming: &'static [&'static str],
}

const SECTIONS: &[Section] = &[
    Section {
        links: &[
            (
                "/procurement/upload",
                "Upload a spending file",
                "Check any council's \"spending over £500\" file, correct its columns, and import it.",
            ),
            (
                "/procurement/imports",
                "Spend imports",
                "Every file imported, how each row was accounted for, and undo.",
            ),
            (
                "/procurement/analysis",
                "Where the money goes",
                "The community wealth building report: local, wider-area, deprived-area, SME and VCSE shares, leakage by sector, opportunities, year on year.",
            ),
            (
                "/procurement/suppliers",
                "Supplier records",
                "Import the council's supplier (creditor) file: postcodes, branches, company and charity numbers, types.",
            ),
            (
                "/procurement/review",
                "Supplier matches to review",
                "Names on payments close to a supplier record: accept, reject or choose another.",
            ),
            (
                "/procurement/rules",
                "Exclusion rules",
                "What counts as influenceable spend: levies, pensions, payroll and the rest, editable.",
            ),
            (
                "/procurement/contracts",
                "Contract pipeline",
                "Contracts ending or up for renewal, planned and open procurements; who locally could bid, and how to buy so they can; meet the buyer packs.",
            ),
            (
                "/opportunities",
                "Opportunities (public)",
                "The public list of what the council plans to buy, with Atom and JSON feeds, for local businesses and charities.",
            ),
            (
                "/procurement/lm3",
                "Local Multiplier 3 (LM3)",
                "How much of a contract's value goes round the local economy: from figures or a staff and supplier survey.",
            ),
        ],
        key: "procurement",
        href: "/procurement",
        title: "Procurement",
        summary: "Where the council's spend goes: how much stays in the borough, reaches its most deprived neighbourhoods, small firms and the voluntary sector, and what leaks away.",
        coming: &[],
    },
    Section {
        links: &[
            (
                "/appraisals",
                "Appraisals",
                "Outcomes, public value and who pays and who benefits, for each intervention of a community budget",
            ),
            (
                "/pooled-budgets",
                "Pooled budgets",
                "Partners' contributions, spend against plan, and each partner's share of the benefits",
            ),
            (
                "/appraisals/unit-costs",
                "Unit cost library",
                "Fiscal, economic and social values per outcome, from the Unit Cost Database or your own",
            ),
            (
                "/community-budgets",
                "Community budget votes",
                "Residents propose ideas, vote with single-use codes and see a fair, explained result",
            ),
        ],
        key: "community-budgets",
        href: "/community-budgets",
        title: "Community budgets",
        summary: "Residents propose and vote on how a budget is spent, with fair allocation rules anyone can check, and appraisals that put outcomes and social value beside savings.",
        coming: &[
            "Participatory budgeting: proposals, single-use voting codes, accessible ballots, explained results",
            "Fair allocation rules verified against the research reference tools",
        ],
    },
    Section {
        links: &[
            (
                "/co-production/register",
                "Co-production register",
                "Every commissioning activity and, at each stage, how people were involved, with CSV import and export.",
            ),
            (
                "/co-production/coverage",
                "Coverage",
                "How much commissioning is co-produced at two or more stages and at all four, by count and £ value, by directorate, band and quarter.",
            ),
            (
                "/co-production/principles",
                "Principles self-assessment",
                "Each directorate scored against the six features of co-production, with its history.",
            ),
            (
                "/co-production/participants",
                "Participants",
                "The people who take part: rewards, benefits advice, equality totals, subject access and erasure.",
            ),
            (
                "/co-production/credits",
                "Time credits",
                "Credits issued for participation, spent at partner venues and gifted to the community pot; statements and reversals.",
            ),
        ],
        key: "co-production",
        href: "/co-production",
        title: "Co-production",
        summary: "A register of how residents, including people with lived experience of poverty, shape every commissioning activity at every stage, with time credits to value their part.",
        coming: &[
            "Each activity linked to the joined-up strategy's objectives and the places it serves",
            "Co-production shown beside deprivation on the strategy's place profiles",
        ],
    },
    Section {
        links: &[(
            "/places",
            "Places",
            "Any postcode or area: where it is and how deprived its neighbourhoods are.",
        )],
        key: "strategy",
        href: "/strategy",
        title: "Strategy",
        summary: "One view of the place: deprivation and poverty indicators by ward and neighbourhood, the council's objectives, and where its spend, budgets and co-production actually land.",
        coming: &[
            "Place profiles by ward and neighbourhood from the Indices of Deprivation and local indicators",
            "Where spend, community budgets and co-production land relative to deprivation",
        ],
    },
];

/// The working pages of a section (href, label, description), for sections with their own index.
pub(crate) fn section_links(key: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    SECTIONS
        .iter()
        .find(|s| s.key == key)
        .map_or(&[], |s| s.links)
}

pub async fn home(State(state): State<AppState>, identity: Identity) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "", "Home").await?;
    let cards = SECTIONS
        .iter()
        .map(|s| SectionCard {
            href: s.href,
            title: s.title,
            summary: s.summary,
            working: s.links.len(),
        })
        .collect();
    // Admins see the first steps until every one is done.
    let is_admin = chrome
        .user
        .as_ref()
        .is_some_and(|u| u.role == levers_store::Role::Admin);
    let steps = if is_admin {
        let steps = crate::admin::setup::setup_steps(&state.store).await?;
        if steps.iter().all(|s| s.done) {
            Vec::new()
        } else {
            steps
        }
    } else {
        Vec::new()
    };
    render(&HomePage {
        chrome,
        cards,
        steps,
    })
}

pub async fn section(
    State(state): State<AppState>,
    identity: Identity,
    uri: Uri,
) -> Result<Response, AppError> {
    let s = SECTIONS
        .iter()
        .find(|s| s.href == uri.path())
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(&state, &identity, s.key, s.title).await?;
    render(&SectionPage {
        chrome,
        heading: s.title,
        lead: s.summary,
        coming: s.coming,
        links: s.links,
    })
}

pub async fn not_found(State(state): State<AppState>, identity: Identity, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return AppError::NotFound.json();
    }
    match chrome(&state, &identity, "", "Page not found").await {
        Ok(c) => AppError::NotFound.page(Some(c)),
        Err(e) => e.into_response(),
    }
}

pub struct SectionCard {
    pub href: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// How many of the section's pages work.
    pub working: usize,
}

impl SectionCard {
    /// "5 tools", "1 tool".
    pub fn tools(&self) -> String {
        format!(
            "{} {}",
            self.working,
            if self.working == 1 { "tool" } else { "tools" }
        )
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub cards: Vec<SectionCard>,
    /// The first-run steps, for an admin while any is not done.
    pub steps: Vec<crate::admin::setup::SetupStep>,
}

impl HomePage {
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }
}

#[derive(Template)]
#[template(path = "section.html")]
pub struct SectionPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub lead: &'static str,
    pub coming: &'static [&'static str],
    pub links: &'static [(&'static str, &'static str, &'static str)],
}
