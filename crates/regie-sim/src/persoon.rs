//! Synthetic, plausible Dutch personal data (name, sex, woonadres) for
//! simulated clients. Deterministic: the same `(seed, key)` always gives the
//! same person, and drawing it never disturbs the care generator's streams.
//!
//! The names are common Dutch surnames and street names; postcodes follow the
//! 1234AB pattern (never SA, SD or SS); the woonplaats is the name of the
//! client's gemeente. None of it refers to a real person.

use crate::rng::Rng;
use regie_domain::persoon::{
    Achternaam, Adres, Geslacht, Geslachtsnaam, Huisletter, Huisnummer, HuisnummerToevoeging,
    Naamgebruik, Persoonsgegevens, Plaatsnaam, Postcode, Straatnaam, Voorletters, Voorvoegsel,
};

/// Stream offset so personal data never shares a stream with the care draws.
const STREAM: u64 = 0x5045_5253_4F4F_4E00; // "PERSOON\0"

/// Common Dutch geslachtsnamen as (voorvoegsel, achternaam).
const NAMEN: &[(&str, &str)] = &[
    ("de", "Jong"),
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("van der", "Heijden"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("van de", "Ven"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("van", "Dam"),
    ("van der", "Wal"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Peeters"),
];

/// Common Dutch street names (all within the BRP's 24 characters).
const STRATEN: &[&str] = &[
    "Dorpsstraat",
    "Kerkstraat",
    "Schoolstraat",
    "Molenweg",
    "Julianastraat",
    "Beatrixlaan",
    "Wilhelminastraat",
    "Stationsweg",
    "Nieuwstraat",
    "Markt",
    "Eikenlaan",
    "Lindelaan",
    "Beukenlaan",
    "Kastanjelaan",
    "Parallelweg",
    "Sportlaan",
    "Irisstraat",
    "Tulpstraat",
    "Rozenstraat",
    "Prins Bernhardstraat",
    "Hoofdstraat",
    "Brink",
    "Veldweg",
    "Oranjestraat",
    "Emmalaan",
    "Vondellaan",
    "Merelstraat",
    "Zuiderweg",
];

/// Initials drawn for voorletters (letters common as first-name initials).
const LETTERS: &[u8] = b"AACDEFGHHIJJJKLMMMNPPRSSTWW";

fn pick<'a, T>(r: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[r.below(xs.len() as u64) as usize]
}

fn naam(r: &mut Rng) -> Geslachtsnaam {
    let (vv, an) = *pick(r, NAMEN);
    Geslachtsnaam {
        voorvoegsel: (!vv.is_empty()).then(|| Voorvoegsel::new(vv).expect("listed voorvoegsel")),
        achternaam: Achternaam::new(an).expect("listed achternaam"),
    }
}

/// The personal data of simulated person `key` (e.g. the BSN's number) under
/// `seed`, living in `plaats`. `plaats` must be a valid woonplaatsnaam
/// (1–80 characters); gemeente names always are.
pub fn persoonsgegevens(seed: u64, key: u64, plaats: &str) -> Persoonsgegevens {
    let mut r = Rng::new(seed ^ STREAM, key);
    let geslacht = if r.chance(1, 2) {
        Geslacht::Vrouw
    } else {
        Geslacht::Man
    };
    let eigen = naam(&mut r);
    // About one in six uses a partner's name (mostly the partner-own form).
    let naamgebruik = match r.below(12) {
        0 => Naamgebruik::PartnerEigen(naam(&mut r)),
        1 => Naamgebruik::EigenPartner(naam(&mut r)),
        _ => Naamgebruik::Eigen,
    };
    let n = 1 + r.below(3) as usize;
    let voorletters: String = (0..n).map(|_| char::from(*pick(&mut r, LETTERS))).collect();
    let huisletter = r
        .chance(1, 20)
        .then(|| Huisletter::new(["A", "B", "C"][r.below(3) as usize]).expect("letter"));
    let toevoeging = r.chance(1, 25).then(|| {
        HuisnummerToevoeging::new(["bis", "1", "2", "II"][r.below(4) as usize]).expect("short")
    });
    let postcode = loop {
        let digits = 1000 + r.below(9000);
        let a = char::from(b'A' + r.below(26) as u8);
        let b = char::from(b'A' + r.below(26) as u8);
        if let Ok(p) = Postcode::new(&format!("{digits}{a}{b}")) {
            break p;
        }
    };
    Persoonsgegevens {
        geslachtsnaam: eigen,
        voorletters: Voorletters::new(voorletters).expect("1–3 letters"),
        naamgebruik,
        geslacht,
        adres: Adres {
            straatnaam: Straatnaam::new(*pick(&mut r, STRATEN)).expect("listed street"),
            huisnummer: Huisnummer::new(1 + r.below(180) as u32).expect("1–180"),
            huisletter,
            toevoeging,
            postcode,
            plaatsnaam: Plaatsnaam::new(plaats).expect("gemeente name is a valid plaatsnaam"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_plausible() {
        let a = persoonsgegevens(7, 123, "Amersfoort");
        assert_eq!(a, persoonsgegevens(7, 123, "Amersfoort"));
        assert_ne!(a, persoonsgegevens(7, 124, "Amersfoort"));
        let mut partner = 0;
        for k in 0..2000 {
            let p = persoonsgegevens(1, k, "Vught");
            assert_eq!(p.adres.plaatsnaam.as_str(), "Vught");
            let pc = p.adres.postcode.as_str();
            assert_eq!(pc.len(), 6);
            assert!(!["SA", "SD", "SS"].contains(&&pc[4..]));
            partner += usize::from(p.naamgebruik.partnernaam().is_some());
        }
        assert!((200..500).contains(&partner), "{partner}");
    }
}
