//! Places: where every lever lands. Boundary imports ([`boundaries`]), the place each lever's
//! records are in and the choices the forms offer ([`links`]), the lever figures by place, taken
//! from the same code that draws each lever's own pages ([`figures`]), and the place view for the
//! council, a ward or an LSOA ([`view`]), and a view as tables to take away ([`export`]).

pub mod boundaries;
pub mod export;
pub mod figures;
pub mod links;
mod spread;
pub mod view;

pub use view::{PlaceKind, PlaceRow, PlaceView, place_view};
