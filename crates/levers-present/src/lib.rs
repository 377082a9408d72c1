//! levers-present: presentation without HTTP, shared by the web pages and the CLI's reports: how
//! figures are shown (`show`), the SVG charts (`charts`, each drawn with a text alternative and shown
//! beside its table), and the documents people take away (the standalone procurement report, CSV
//! and XLSX exports, the strategy's cabinet report, any table of figures as CSV or XLSX).

pub mod charts;
pub mod procurement_export;
pub mod procurement_report;
pub mod show;
pub mod strategy_report;
pub mod tables;
