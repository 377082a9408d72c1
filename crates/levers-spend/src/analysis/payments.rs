//! A year of payments, dictionary-encoded as they are added: the analysis' input.

#[allow(unused_imports)]
use super::*;

/// Strings shared by many payments, stored once; id 0 is the empty string.
#[derive(Debug, Clone)]
pub struct Interner {
    map: FastMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            map: FastMap::from_iter([(Box::from(""), 0)]),
            strs: vec![Box::from("")],
        }
    }
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        let s = s.trim();
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(Box::from(s));
        self.map.insert(Box::from(s), i);
        i
    }

    pub fn get(&self, id: u32) -> &str {
        self.strs.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strs.len() <= 1
    }
}

/// One payment, its text fields interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentRow {
    /// The store's row id (for drill-down), or any caller's id.
    pub row_id: i64,
    pub body: u16,
    pub redacted: bool,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub supplier_name: u32,
    pub supplier_id: u32,
    pub company_number: u32,
    pub charity_number: u32,
    pub vat_number: u32,
    pub expense_type: u32,
    pub expense_area: u32,
    pub purpose: u32,
    pub creditor_type: u32,
    /// The ProClass category (label) the file gives the payment ("" when none or "Not Classified").
    pub category: u32,
    /// The row's supplier as the payment names it (body, ID, numbers, name, redacted), as an index
    /// into [`Payments::supplier_keys`]: rows naming a supplier the same way share it, so the
    /// analysis resolves each once.
    pub supplier_key: u32,
    /// The row's other rule-relevant fields (expense type, area, purpose, creditor type), as an index
    /// into [`Payments::fact_keys`].
    pub fact_key: u32,
}

/// How a payment names its supplier: body, ID, company, charity and VAT numbers, name (string ids)
/// and whether it is redacted.
pub type SupplierKey = (u16, u32, u32, u32, u32, u32, bool);
/// A payment's expense type, area, purpose, creditor type and ProClass category (string ids).
pub type FactKey = (u32, u32, u32, u32, u32);

/// A year of payments for the bodies analysed, dictionary-encoded as they are added (strings, the
/// ways suppliers are named, and the combinations of other fields each stored once), so the analysis
/// works on small integers. Add rows with [`Payments::push`].
#[derive(Debug, Clone, Default)]
pub struct Payments {
    pub strings: Interner,
    pub rows: Vec<PaymentRow>,
    pub supplier_keys: Vec<SupplierKey>,
    pub fact_keys: Vec<FactKey>,
    supplier_key_ids: FastMap<SupplierKey, u32>,
    fact_key_ids: FastMap<FactKey, u32>,
}

/// A payment's fields as text, for [`Payments::push`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentText<'a> {
    pub row_id: i64,
    pub body: u16,
    pub redacted: bool,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub supplier_name: &'a str,
    pub supplier_id: &'a str,
    pub company_number: &'a str,
    pub charity_number: &'a str,
    pub vat_number: &'a str,
    pub expense_type: &'a str,
    pub expense_area: &'a str,
    pub purpose: &'a str,
    pub creditor_type: &'a str,
    /// The ProClass category ("" when none; see [`crate::proclass_category`]).
    pub category: &'a str,
}

impl Payments {
    pub fn push(&mut self, p: PaymentText<'_>) {
        let supplier_key = self.supplier_key(
            p.body,
            p.supplier_name,
            p.supplier_id,
            p.company_number,
            p.charity_number,
            p.vat_number,
            p.redacted,
        );
        let fact_key = self.fact_key(
            p.expense_type,
            p.expense_area,
            p.purpose,
            p.creditor_type,
            p.category,
        );
        self.push_keyed(p.row_id, p.date, p.amount_pence, supplier_key, fact_key);
    }

    /// The index of a way of naming a supplier (adding it on first use); its strings are interned
    /// in this order: name, ID, company, charity, VAT number.
    #[allow(clippy::too_many_arguments)]
    pub fn supplier_key(
        &mut self,
        body: u16,
        supplier_name: &str,
        supplier_id: &str,
        company_number: &str,
        charity_number: &str,
        vat_number: &str,
        redacted: bool,
    ) -> u32 {
        let s = &mut self.strings;
        let name = s.id(supplier_name);
        let sk: SupplierKey = (
            body,
            s.id(supplier_id),
            s.id(company_number),
            s.id(charity_number),
            s.id(vat_number),
            name,
            redacted,
        );
        let next = self.supplier_keys.len() as u32;
        let key = *self.supplier_key_ids.entry(sk).or_insert(next);
        if key == next {
            self.supplier_keys.push(sk);
        }
        key
    }

    /// The index of a combination of expense type, area, purpose, creditor type and ProClass
    /// category (adding it on first use).
    pub fn fact_key(
        &mut self,
        expense_type: &str,
        expense_area: &str,
        purpose: &str,
        creditor_type: &str,
        category: &str,
    ) -> u32 {
        let s = &mut self.strings;
        let fk: FactKey = (
            s.id(expense_type),
            s.id(expense_area),
            s.id(purpose),
            s.id(creditor_type),
            s.id(category),
        );
        let next = self.fact_keys.len() as u32;
        let key = *self.fact_key_ids.entry(fk).or_insert(next);
        if key == next {
            self.fact_keys.push(fk);
        }
        key
    }

    /// Adds a payment whose supplier and other fields are already keys (from [`Payments::supplier_key`]
    /// and [`Payments::fact_key`]): how a store reading dictionary-encoded payments adds them without
    /// touching their text again. Same result as [`Payments::push`] with the same fields.
    pub fn push_keyed(
        &mut self,
        row_id: i64,
        date: Option<Date>,
        amount_pence: i64,
        supplier_key: u32,
        fact_key: u32,
    ) {
        let (
            body,
            supplier_id,
            company_number,
            charity_number,
            vat_number,
            supplier_name,
            redacted,
        ) = self.supplier_keys[supplier_key as usize];
        let (expense_type, expense_area, purpose, creditor_type, category) =
            self.fact_keys[fact_key as usize];
        self.rows.push(PaymentRow {
            row_id,
            body,
            redacted,
            date,
            amount_pence,
            supplier_name,
            supplier_id,
            company_number,
            charity_number,
            vat_number,
            expense_type,
            expense_area,
            purpose,
            creditor_type,
            category,
            supplier_key,
            fact_key,
        });
    }
}
