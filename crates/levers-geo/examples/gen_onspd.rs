//! Writes a national-size, ONSPD-shaped CSV (every ONSPD column, 2.7 million rows by default) for
//! the geography import benchmark: `cargo run --release -p levers-geo --example gen_onspd -- OUT [ROWS]`.

use std::io::{BufWriter, Write};

const COLUMNS: &str = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21,ruc21";

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "onspd_synthetic.csv".into());
    let rows: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_700_000);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    writeln!(w, "{COLUMNS}")?;
    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..rows {
        // Unique postcodes: area (2 letters), district (1-99), sector (0-9), unit (2 letters).
        let area = [
            letters[(i / 400_000 % 20) as usize],
            letters[(i / 20_000 % 20) as usize],
        ];
        let district = i / 4_000 % 5 + 1 + (i / 400_000 % 2) * 10;
        let sector = i / 400 % 10;
        let unit = [letters[(i / 20 % 20) as usize], letters[(i % 20) as usize]];
        let outward = format!("{}{}{district}", area[0] as char, area[1] as char);
        let inward = format!("{sector}{}{}", unit[0] as char, unit[1] as char);
        let pcd = format!("{outward:<4}{inward}");
        let pcd2 = format!("{outward:<5}{inward}");
        let pcds = format!("{outward} {inward}");
        let r = next();
        let lad = 1 + r % 300;
        let lsoa = 1 + (i / 80) % 33_000;
        let doterm = if r % 10 < 3 { "200512" } else { "" };
        let lat = 50.0 + (r % 5_000_000) as f64 / 1e6;
        let long = -5.0 + ((r >> 20) % 6_000_000) as f64 / 1e6;
        writeln!(
            w,
            "{pcd},{pcd2},{pcds},198001,{doterm},E99999999,E99999999,E07{lad:06},E05{:06},E43{:06},0,{},{},1,E18000002,E40000010,E92000001,E12{:06},0,E14{:06},E15000002,E15000002,E30000{:03},E16000{:03},E06000{:03},00QGHN,00QGHN00,00QGHN,E99999999,E01{lsoa:06},E02{:06},6,3A,E00{:06},E01{lsoa:06},E02{:06},E33{:06},E38000{:03},E63{:06},A1,3A1,{lat:.6},{long:.6},E37000{:03},,E23000{:03},{},{},E54000{:03},E00{:06},E01{lsoa:06},E02{:06},UN1",
            (r >> 8) % 9000,
            (r >> 12) % 9000,
            300_000 + r % 400_000,
            100_000 + (r >> 16) % 500_000,
            1 + lad % 9,
            1 + lad % 650,
            1 + lad % 230,
            1 + lad % 200,
            1 + lad % 200,
            lsoa / 5,
            i / 10,
            lsoa / 5,
            i / 50,
            1 + lad % 200,
            i / 30,
            1 + lad % 50,
            1 + lad % 40,
            1 + r % 32_844,
            (r >> 4) % 2,
            1 + lad % 42,
            i / 10,
            lsoa / 5,
        )?;
    }
    w.flush()?;
    eprintln!("wrote {rows} rows to {out}");
    Ok(())
}
