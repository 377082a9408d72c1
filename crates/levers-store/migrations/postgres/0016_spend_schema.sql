-- The LGA national spend schema's fields levers had read but not kept: each payment's ProClass
-- label and code (its category; the procurement analysis can group sectors by it). The schema's
-- other supplier-identity and unit fields already have columns from 0003: BeneficiaryOtherID is
-- supplier_id, VATRegistrationNumber is vat_number, OrganisationalUnit is expense_area and
-- IrrecoverableVATAmount is irrecoverable_vat_pence. Rows imported before this are NULL here.

ALTER TABLE spend_transactions ADD COLUMN proclass_label TEXT;
ALTER TABLE spend_transactions ADD COLUMN proclass_code TEXT;
