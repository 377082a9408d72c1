//! Schema migrations, one ordered list per backend, applied in a transaction each and recorded.

use crate::{Backend, Result, Store, StoreError, now_unix, write_tx};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, oldest first. Append only: never edit one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "geo",
        sqlite: include_str!("../migrations/sqlite/0002_geo.sql"),
        postgres: include_str!("../migrations/postgres/0002_geo.sql"),
    },
    Migration {
        version: 3,
        name: "spend",
        sqlite: include_str!("../migrations/sqlite/0003_spend.sql"),
        postgres: include_str!("../migrations/postgres/0003_spend.sql"),
    },
    Migration {
        version: 4,
        name: "appraisal",
        sqlite: include_str!("../migrations/sqlite/0004_appraisal.sql"),
        postgres: include_str!("../migrations/postgres/0004_appraisal.sql"),
    },
    Migration {
        version: 5,
        name: "coproduction",
        sqlite: include_str!("../migrations/sqlite/0005_coproduction.sql"),
        postgres: include_str!("../migrations/postgres/0005_coproduction.sql"),
    },
    Migration {
        version: 6,
        name: "procurement",
        sqlite: include_str!("../migrations/sqlite/0006_procurement.sql"),
        postgres: include_str!("../migrations/postgres/0006_procurement.sql"),
    },
    Migration {
        version: 7,
        name: "pb_process",
        sqlite: include_str!("../migrations/sqlite/0007_pb_process.sql"),
        postgres: include_str!("../migrations/postgres/0007_pb_process.sql"),
    },
    Migration {
        version: 8,
        name: "pb_code_void",
        sqlite: include_str!("../migrations/sqlite/0008_pb_code_void.sql"),
        postgres: include_str!("../migrations/postgres/0008_pb_code_void.sql"),
    },
    Migration {
        version: 9,
        name: "pool_pb_link",
        sqlite: include_str!("../migrations/sqlite/0009_pool_pb_link.sql"),
        postgres: include_str!("../migrations/postgres/0009_pool_pb_link.sql"),
    },
    Migration {
        version: 10,
        name: "spend_blocks",
        sqlite: include_str!("../migrations/sqlite/0010_spend_blocks.sql"),
        postgres: include_str!("../migrations/postgres/0010_spend_blocks.sql"),
    },
    Migration {
        version: 11,
        name: "contracts",
        sqlite: include_str!("../migrations/sqlite/0011_contracts.sql"),
        postgres: include_str!("../migrations/postgres/0011_contracts.sql"),
    },
    Migration {
        version: 12,
        name: "strategy",
        sqlite: include_str!("../migrations/sqlite/0012_strategy.sql"),
        postgres: include_str!("../migrations/postgres/0012_strategy.sql"),
    },
    Migration {
        version: 13,
        name: "places",
        sqlite: include_str!("../migrations/sqlite/0013_places.sql"),
        postgres: include_str!("../migrations/postgres/0013_places.sql"),
    },
    Migration {
        version: 15,
        name: "first_day",
        sqlite: include_str!("../migrations/sqlite/0015_first_day.sql"),
        postgres: include_str!("../migrations/postgres/0015_first_day.sql"),
    },
    Migration {
        version: 16,
        name: "spend_schema",
        sqlite: include_str!("../migrations/sqlite/0016_spend_schema.sql"),
        postgres: include_str!("../migrations/postgres/0016_spend_schema.sql"),
    },
    Migration {
        version: 18,
        name: "register_imports",
        sqlite: include_str!("../migrations/sqlite/0018_register_imports.sql"),
        postgres: include_str!("../migrations/postgres/0018_register_imports.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

impl Store {
    /// Applies every migration the database has not had yet. Safe to call on every start.
    /// Returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let known = MIGRATIONS.last().map_or(0, |m| m.version);
        let mut applied = Vec::new();
        crate::with_pool!(self, pool => {
            sqlx::raw_sql(CREATE_TABLE).execute(pool).await?;
            let done: Vec<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(pool).await?;
            let found = done.iter().copied().max().unwrap_or(0);
            if found > known {
                return Err(StoreError::SchemaTooNew { found, known });
            }
            // Every migration not yet applied, in order: branches merged with numbers reserved
            // apart (0011, 0012, 0013) may reach a database in any order.
            for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
                let sql = match self.backend { Backend::Sqlite(_) => m.sqlite, Backend::Postgres(_) => m.postgres };
                let fail = |source| StoreError::Migrate { version: m.version, name: m.name, source };
                write_tx!(pool, fail, tx => {
                    sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
                    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(m.version)
                        .bind(m.name)
                        .bind(now_unix())
                        .execute(&mut *tx)
                        .await
                        .map_err(fail)?;
                    Ok(())
                })?;
                applied.push(m.version);
            }
        });
        Ok(applied)
    }

    /// The highest schema version applied.
    pub async fn schema_version(&self) -> Result<i64> {
        crate::with_pool!(self, pool => {
            let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(pool).await?;
            Ok(v.unwrap_or(0))
        })
    }
}
