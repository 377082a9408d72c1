//! Integration tests of levers-contracts: the shared real OCDS files, register layouts, the
//! hand-worked matching and advice cases, and reconciliation properties.

mod contracts {
    mod cases;
    mod props;
    mod real;
    mod register;
}
