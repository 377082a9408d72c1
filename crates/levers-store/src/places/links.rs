//! The place of each lever's records (migration 0013's `place_code` columns): a ward or LSOA code,
//! or `council` for council-wide. Setting one is audited; people's places are read only as counts
//! by place.

use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, with_pool, write_tx};

/// The stored value meaning "council-wide".
pub const COUNCIL_WIDE: &str = "council";

/// Which kind of record a place belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceTarget {
    /// A community budget idea or project (`pb_proposals`).
    Proposal,
    /// A commissioning activity in the co-production register.
    Activity,
    /// Where a co-production participant lives (ward or LSOA only).
    Participant,
}

impl PlaceTarget {
    fn table(self) -> &'static str {
        match self {
            PlaceTarget::Proposal => "pb_proposals",
            PlaceTarget::Activity => "coproduction_activities",
            PlaceTarget::Participant => "coproduction_participants",
        }
    }

    fn object_type(self) -> &'static str {
        match self {
            PlaceTarget::Proposal => "pb_proposal",
            PlaceTarget::Activity => "coproduction_activity",
            PlaceTarget::Participant => "coproduction_participant",
        }
    }
}

/// Checks a place code's shape: nine characters (a GSS code) or `council`.
fn valid(code: &str) -> bool {
    code == COUNCIL_WIDE || code.len() == 9
}

/// Co-production by where participants live.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeopleAtPlace {
    /// `None`: participants whose place is not recorded.
    pub place_code: Option<String>,
    pub participants: i64,
    /// Participants with at least one recorded participation.
    pub involved: i64,
    pub participations: i64,
    pub minutes: i64,
    pub credits: i64,
}

impl Store {
    /// Sets (or clears) the place of one record, audited with the old and new value.
    pub async fn set_place_code(
        &self,
        actor: &Actor,
        target: PlaceTarget,
        id: i64,
        code: Option<&str>,
    ) -> Result<()> {
        if let Some(c) = code
            && !valid(c)
        {
            return Err(StoreError::Invalid(format!(
                "\"{c}\" is not a place: choose a ward or neighbourhood from the loaded geography, or council-wide"
            )));
        }
        let table = target.table();
        let select = format!("SELECT place_code FROM {table} WHERE id = $1");
        let update = format!("UPDATE {table} SET place_code = $1 WHERE id = $2");
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(select.clone()))
                .bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!("{} {id}", target.object_type())));
            };
            if before.as_deref() == code {
                return Ok(());
            }
            sqlx::query(sqlx::AssertSqlSafe(update.clone())).bind(code).bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("place.set", target.object_type(), id)
                .before(serde_json::json!({ "place_code": before }))
                .after(serde_json::json!({ "place_code": code })))?;
            Ok(())
        }))
    }

    /// Every record's place: (id, place code), in id order.
    pub async fn place_codes(&self, target: PlaceTarget) -> Result<Vec<(i64, Option<String>)>> {
        let sql = format!("SELECT id, place_code FROM {} ORDER BY id", target.table());
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("place_code")?))).collect()
        })
    }

    /// Community budget ideas with a typed location but no place yet: (id, location).
    pub async fn unplaced_proposal_locations(&self) -> Result<Vec<(i64, String)>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, location FROM pb_proposals WHERE place_code IS NULL AND location <> '' ORDER BY id")
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("location")?))).collect()
        })
    }

    /// Co-production participants and what they did, counted by where they live.
    pub async fn coproduction_people_by_place(&self) -> Result<Vec<PeopleAtPlace>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT p.place_code,
                        COUNT(DISTINCT p.id) AS participants,
                        COUNT(DISTINCT x.participant_id) AS involved,
                        COUNT(x.id) AS participations,
                        CAST(COALESCE(SUM(x.minutes), 0) AS BIGINT) AS minutes,
                        CAST(COALESCE(SUM(x.credits), 0) AS BIGINT) AS credits
                 FROM coproduction_participants p
                 LEFT JOIN coproduction_participations x ON x.participant_id = p.id
                 GROUP BY p.place_code ORDER BY p.place_code")
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok(PeopleAtPlace {
                place_code: r.try_get("place_code")?,
                participants: r.try_get("participants")?,
                involved: r.try_get("involved")?,
                participations: r.try_get("participations")?,
                minutes: r.try_get("minutes")?,
                credits: r.try_get("credits")?,
            })).collect()
        })
    }
}
