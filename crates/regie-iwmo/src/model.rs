//! Typed element structures of the iWmo 3.2 messages. Struct and field order
//! follow the XSD `xs:sequence`s exactly; the `complex!` macro derives the
//! reader and writer from that order, so there is one source of truth.
//!
//! Retour messages (WMO302, 306, …) repeat the heen message with a
//! `RetourCodes` element at the end of every message class. The class structs
//! are therefore shared: their `retourcodes` field is empty in heen messages
//! (and neither read nor written there) and holds the codes in retour messages.

use crate::types::*;
use crate::xml::{Cx, In, NsKind, Out, ParseError, XmlValue};
use chrono::{NaiveDate, NaiveTime};

/// Message class ("berichtklasse"): the unit at which retourcodes are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Berichtklasse {
    /// Header of every message.
    Header,
    /// Client (WMO301–317, 323/325 per client).
    Client,
    /// Relatie (WMO301).
    Relatie,
    /// Contact (WMO301), of the client or of a relatie.
    Contact,
    /// ToegewezenProduct (WMO301).
    ToegewezenProduct,
    /// StartProduct (WMO305).
    StartProduct,
    /// StopProduct (WMO307).
    StopProduct,
    /// AangevraagdProduct (WMO315).
    AangevraagdProduct,
    /// Verzoek (WMO317).
    Verzoek,
    /// OngewijzigdProduct (WMO317).
    OngewijzigdProduct,
    /// TeWijzigenProduct (WMO317).
    TeWijzigenProduct,
    /// NieuwProduct (WMO317).
    NieuwProduct,
    /// Antwoord (WMO319).
    Antwoord,
    /// Declaratie (WMO323); answered in DeclaratieAntwoord (WMO325).
    Declaratie,
    /// DeclaratieAntwoord (WMO325).
    DeclaratieAntwoord,
    /// Prestatie (WMO323/325).
    Prestatie,
}

/// Defines a complex type: struct + reader + writer from one field list.
/// Kinds: `req` (1..1), `opt` (0..1), `list "Wrapper"/"Item"` (wrapper 1..1,
/// items 1..n), `optlist` (wrapper 0..1), `retour` (RetourCodes of a class).
macro_rules! complex {
    (
        $(#[$m:meta])*
        pub struct $name:ident [$ns:ident $(, $klasse:ident)?] {
            $( $(#[$fm:meta])* $field:ident : $fty:ty = $kind:ident $ename:literal $(/ $iname:literal)? ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $fty, )*
        }

        impl XmlValue for $name {
            fn read(r: &mut In<'_>, cx: &Cx) -> Result<Self, ParseError> {
                $( r.push_class(Berichtklasse::$klasse); )?
                $( let $field: $fty = r.$kind(cx, NsKind::$ns, $ename $(, $iname)?)?; )*
                r.leave()?;
                $( let _ = Berichtklasse::$klasse; r.pop_class(); )?
                Ok($name { $($field),* })
            }
            fn write(&self, w: &mut Out, cx: &Cx, ns: NsKind, name: &str) {
                w.open(cx, ns, name);
                $( w.$kind(cx, NsKind::$ns, $ename $(, $iname)?, &self.$field); )*
                w.close(cx, ns, name);
            }
        }
    };
}

// ---- CDT types of the basisschema (children in the iwmo namespace) ----

complex! {
    /// `CDT_Achternaam`.
    pub struct Achternaam [Basis] {
        /// Achternaam.
        achternaam: Naam = req "Achternaam",
        /// Voorvoegsel.
        voorvoegsel: Option<Voorvoegsel> = opt "Voorvoegsel",
    }
}

complex! {
    /// `CDT_Huis`.
    pub struct Huis [Basis] {
        /// Huisnummer.
        huisnummer: Huisnummer = req "Huisnummer",
        /// Huisletter.
        huisletter: Option<Huisletter> = opt "Huisletter",
        /// HuisnummerToevoeging.
        huisnummer_toevoeging: Option<HuisnummerToevoeging> = opt "HuisnummerToevoeging",
        /// AanduidingWoonadres.
        aanduiding_woonadres: Option<AanduidingWoonadres> = opt "AanduidingWoonadres",
    }
}

complex! {
    /// `CDT_Adres`.
    pub struct Adres [Basis] {
        /// Huis (CD025: mandatory when LandCode is NL).
        huis: Option<Huis> = opt "Huis",
        /// Postcode.
        postcode: Option<Postcode> = opt "Postcode",
        /// Straatnaam.
        straatnaam: Option<Straatnaam> = opt "Straatnaam",
        /// Plaatsnaam.
        plaatsnaam: Option<Plaatsnaam> = opt "Plaatsnaam",
        /// LandCode.
        land_code: Option<LandCode> = opt "LandCode",
    }
}

complex! {
    /// `CDT_BedragMetDC`: amount in eurocents with debit/credit sign.
    pub struct BedragMetDc [Basis] {
        /// Bedrag (eurocents).
        bedrag: Bedrag = req "Bedrag",
        /// DebetCredit.
        debet_credit: DebetCredit = req "DebetCredit",
    }
}

complex! {
    /// `CDT_BerichtIdentificatie`.
    pub struct BerichtIdentificatie [Basis] {
        /// Identificatie (unique per sender and message type, TR056).
        identificatie: IdentificatieBericht = req "Identificatie",
        /// Dagtekening.
        dagtekening: NaiveDate = req "Dagtekening",
    }
}

complex! {
    /// `CDT_Communicatie`.
    pub struct Communicatie [Basis] {
        /// Vorm.
        vorm: Communicatievorm = req "Vorm",
        /// Taal (CD007).
        taal: Option<Taal> = opt "Taal",
    }
}

complex! {
    /// `CDT_Geboortedatum`.
    pub struct Geboortedatum [Basis] {
        /// Datum.
        datum: NaiveDate = req "Datum",
        /// DatumGebruik (CS139).
        datum_gebruik: Option<DatumGebruik> = opt "DatumGebruik",
    }
}

complex! {
    /// `CDT_GeslotenPeriode`.
    pub struct GeslotenPeriode [Basis] {
        /// Begindatum.
        begindatum: NaiveDate = req "Begindatum",
        /// Einddatum.
        einddatum: NaiveDate = req "Einddatum",
    }
}

complex! {
    /// `CDT_Omvang`: volume, unit and frequency of a toewijzing.
    pub struct Omvang [Basis] {
        /// Volume.
        volume: Volume = req "Volume",
        /// Eenheid.
        eenheid: Eenheid = req "Eenheid",
        /// Frequentie.
        frequentie: Frequentie = req "Frequentie",
    }
}

complex! {
    /// `CDT_OpenPeriode`.
    pub struct OpenPeriode [Basis] {
        /// Begindatum.
        begindatum: Option<NaiveDate> = opt "Begindatum",
        /// Einddatum.
        einddatum: Option<NaiveDate> = opt "Einddatum",
    }
}

complex! {
    /// `CDT_Product`.
    pub struct Product [Basis] {
        /// Categorie.
        categorie: ProductCategorie = req "Categorie",
        /// Code.
        code: Option<ProductCode> = opt "Code",
    }
}

complex! {
    /// `CDT_Referentie`: ProductReferentie of a Prestatie.
    pub struct ProductReferentie [Basis] {
        /// ReferentieNummer.
        referentie_nummer: ReferentieNummer = req "ReferentieNummer",
        /// VorigReferentieNummer (CD060: only for credit).
        vorig_referentie_nummer: Option<ReferentieNummer> = opt "VorigReferentieNummer",
    }
}

complex! {
    /// `CDT_Telefoon`.
    pub struct Telefoon [Basis] {
        /// Telefoonnummer.
        telefoonnummer: Telefoonnummer = req "Telefoonnummer",
        /// Landnummer.
        landnummer: Landnummer = req "Landnummer",
    }
}

complex! {
    /// `CDT_Telefoonnummers`.
    pub struct Telefoonnummers [Basis] {
        /// Telefoon01.
        telefoon01: Telefoon = req "Telefoon01",
        /// Telefoon02.
        telefoon02: Option<Telefoon> = opt "Telefoon02",
    }
}

complex! {
    /// `CDT_TotaalBedragMetDC`.
    pub struct TotaalBedragMetDc [Basis] {
        /// TotaalBedrag (eurocents).
        totaal_bedrag: TotaalBedrag = req "TotaalBedrag",
        /// DebetCredit.
        debet_credit: DebetCredit = req "DebetCredit",
    }
}

complex! {
    /// `CDT_VerkorteNaam`.
    pub struct VerkorteNaam [Basis] {
        /// Geslachtsnaam.
        geslachtsnaam: Achternaam = req "Geslachtsnaam",
        /// Voornamen.
        voornamen: Option<Naam> = opt "Voornamen",
        /// Voorletters.
        voorletters: Option<Voorletters> = opt "Voorletters",
    }
}

complex! {
    /// `CDT_Verwijzer`.
    pub struct Verwijzer [Basis] {
        /// Type.
        type_verwijzer: TypeVerwijzer = req "Type",
        /// Naam (CD066/CD067).
        naam: Option<NaamVerwijzer> = opt "Naam",
        /// ZorgverlenerCode (CD068).
        zorgverlener_code: Option<AgbCode> = opt "ZorgverlenerCode",
    }
}

complex! {
    /// `CDT_VolledigeNaam`.
    pub struct VolledigeNaam [Basis] {
        /// Geslachtsnaam.
        geslachtsnaam: Achternaam = req "Geslachtsnaam",
        /// Partnernaam.
        partnernaam: Option<Achternaam> = opt "Partnernaam",
        /// Voornamen.
        voornamen: Option<Naam> = opt "Voornamen",
        /// Voorletters.
        voorletters: Option<Voorletters> = opt "Voorletters",
        /// NaamGebruik (CS050, CS318).
        naam_gebruik: NaamGebruik = req "NaamGebruik",
    }
}

complex! {
    /// `CDT_XsdVersie`.
    pub struct XsdVersie [Basis] {
        /// BasisschemaXsdVersie.
        basisschema_xsd_versie: Versie = req "BasisschemaXsdVersie",
        /// BerichtXsdVersie.
        bericht_xsd_versie: Versie = req "BerichtXsdVersie",
    }
}

impl XsdVersie {
    /// The versions of the iWmo 3.2 XSDs this crate implements (1.0.0 / 1.0.0).
    pub fn current() -> Self {
        XsdVersie {
            basisschema_xsd_versie: Versie::new("1.0.0").expect("valid"),
            bericht_xsd_versie: Versie::new("1.0.0").expect("valid"),
        }
    }
}

// ---- WMO301 / WMO302: toewijzing ----

complex! {
    /// WMO301 `Client`.
    pub struct Client301 [Msg, Client] {
        /// Bsn (CS002).
        bsn: BurgerServicenummer = req "Bsn",
        /// Geboortedatum.
        geboortedatum: Geboortedatum = req "Geboortedatum",
        /// Geslacht.
        geslacht: Geslacht = req "Geslacht",
        /// Naam.
        naam: VolledigeNaam = req "Naam",
        /// Communicatie.
        communicatie: Option<Communicatie> = opt "Communicatie",
        /// JuridischeStatus.
        juridische_status: Option<JuridischeStatus> = opt "JuridischeStatus",
        /// WettelijkeVertegenwoordiging.
        wettelijke_vertegenwoordiging: Option<WettelijkeVertegenwoordiging> = opt "WettelijkeVertegenwoordiging",
        /// Commentaar.
        commentaar: Option<Commentaar> = opt "Commentaar",
        /// Relaties (0..1 wrapper; empty = absent).
        relaties: Vec<Relatie> = optlist "Relaties" / "Relatie",
        /// Contactgegevens (1..n).
        contactgegevens: Vec<Contact> = list "Contactgegevens" / "Contact",
        /// ToegewezenProducten (1..n).
        toegewezen_producten: Vec<ToegewezenProduct> = list "ToegewezenProducten" / "ToegewezenProduct",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO301 `Relatie`.
    pub struct Relatie [Msg, Relatie] {
        /// Nummer.
        nummer: Persoonsid = req "Nummer",
        /// Volgorde.
        volgorde: Option<RelatieVolgorde> = opt "Volgorde",
        /// Soort.
        soort: SoortRelatie = req "Soort",
        /// Geboortedatum.
        geboortedatum: Option<Geboortedatum> = opt "Geboortedatum",
        /// Geslacht.
        geslacht: Option<Geslacht> = opt "Geslacht",
        /// Naam.
        naam: VolledigeNaam = req "Naam",
        /// Contact.
        contact: Contact = req "Contact",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO301 `Contact`.
    pub struct Contact [Msg, Contact] {
        /// Soort.
        soort: AdresSoort = req "Soort",
        /// Adres.
        adres: Option<Adres> = opt "Adres",
        /// Organisatie.
        organisatie: Option<Organisatienaam> = opt "Organisatie",
        /// Telefoon.
        telefoon: Option<Telefoonnummers> = opt "Telefoon",
        /// Emailadres.
        emailadres: Option<Emailadres> = opt "Emailadres",
        /// Periode (CD009: only for soort 04).
        periode: Option<OpenPeriode> = opt "Periode",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO301 `ToegewezenProduct`.
    pub struct ToegewezenProduct [Msg, ToegewezenProduct] {
        /// ToewijzingNummer.
        toewijzing_nummer: Nummer = req "ToewijzingNummer",
        /// ReferentieAanbieder (TR379).
        referentie_aanbieder: Option<Referentie> = opt "ReferentieAanbieder",
        /// Product (CD079).
        product: Option<Product> = opt "Product",
        /// Toewijzingsdatum.
        toewijzingsdatum: NaiveDate = req "Toewijzingsdatum",
        /// Toewijzingstijd.
        toewijzingstijd: NaiveTime = req "Toewijzingstijd",
        /// Ingangsdatum.
        ingangsdatum: NaiveDate = req "Ingangsdatum",
        /// Einddatum.
        einddatum: Option<NaiveDate> = opt "Einddatum",
        /// RedenWijziging.
        reden_wijziging: Option<RedenWijziging> = opt "RedenWijziging",
        /// Omvang.
        omvang: Option<Omvang> = opt "Omvang",
        /// Budget (eurocents).
        budget: Option<Budget> = opt "Budget",
        /// Commentaar.
        commentaar: Option<Commentaar> = opt "Commentaar",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

// ---- WMO305/306 start, WMO307/308 stop ----

complex! {
    /// WMO305 `Client`.
    pub struct Client305 [Msg, Client] {
        /// Bsn.
        bsn: BurgerServicenummer = req "Bsn",
        /// Geboortedatum.
        geboortedatum: Geboortedatum = req "Geboortedatum",
        /// Geslacht.
        geslacht: Geslacht = req "Geslacht",
        /// Naam.
        naam: VerkorteNaam = req "Naam",
        /// StartProducten.
        start_producten: Vec<StartProduct> = list "StartProducten" / "StartProduct",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO305 `StartProduct`.
    pub struct StartProduct [Msg, StartProduct] {
        /// ToewijzingNummer (inspannings-/outputgericht: key to the toewijzing).
        toewijzing_nummer: Option<Nummer> = opt "ToewijzingNummer",
        /// Product (taakgericht key part).
        product: Option<Product> = opt "Product",
        /// ToewijzingIngangsdatum.
        toewijzing_ingangsdatum: Option<NaiveDate> = opt "ToewijzingIngangsdatum",
        /// Begindatum.
        begindatum: NaiveDate = req "Begindatum",
        /// StatusAanlevering (CS058).
        status_aanlevering: StatusAanlevering = req "StatusAanlevering",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO307 `Client`.
    pub struct Client307 [Msg, Client] {
        /// Bsn.
        bsn: BurgerServicenummer = req "Bsn",
        /// Geboortedatum.
        geboortedatum: Geboortedatum = req "Geboortedatum",
        /// Geslacht.
        geslacht: Geslacht = req "Geslacht",
        /// Naam.
        naam: VerkorteNaam = req "Naam",
        /// StopProducten.
        stop_producten: Vec<StopProduct> = list "StopProducten" / "StopProduct",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO307 `StopProduct`.
    pub struct StopProduct [Msg, StopProduct] {
        /// ToewijzingNummer.
        toewijzing_nummer: Option<Nummer> = opt "ToewijzingNummer",
        /// Product.
        product: Option<Product> = opt "Product",
        /// ToewijzingIngangsdatum.
        toewijzing_ingangsdatum: Option<NaiveDate> = opt "ToewijzingIngangsdatum",
        /// Begindatum (of the delivery being stopped).
        begindatum: NaiveDate = req "Begindatum",
        /// RedenBeeindiging.
        reden_beeindiging: RedenBeeindiging = req "RedenBeeindiging",
        /// Einddatum.
        einddatum: NaiveDate = req "Einddatum",
        /// StatusAanlevering (CS058).
        status_aanlevering: StatusAanlevering = req "StatusAanlevering",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

// ---- WMO315/316 verzoek om toewijzing ----

complex! {
    /// WMO315 `Client`.
    pub struct Client315 [Msg, Client] {
        /// Bsn.
        bsn: BurgerServicenummer = req "Bsn",
        /// Geboortedatum.
        geboortedatum: Geboortedatum = req "Geboortedatum",
        /// Geslacht.
        geslacht: Geslacht = req "Geslacht",
        /// Naam.
        naam: VerkorteNaam = req "Naam",
        /// Commentaar.
        commentaar: Option<Commentaar> = opt "Commentaar",
        /// AangevraagdeProducten.
        aangevraagde_producten: Vec<AangevraagdProduct> = list "AangevraagdeProducten" / "AangevraagdProduct",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO315 `AangevraagdProduct`.
    pub struct AangevraagdProduct [Msg, AangevraagdProduct] {
        /// ReferentieAanbieder.
        referentie_aanbieder: Referentie = req "ReferentieAanbieder",
        /// BeschikkingNummer.
        beschikking_nummer: Option<Nummer> = opt "BeschikkingNummer",
        /// Product.
        product: Option<Product> = opt "Product",
        /// BeschikkingIngangsdatum (CD043).
        beschikking_ingangsdatum: Option<NaiveDate> = opt "BeschikkingIngangsdatum",
        /// ToewijzingIngangsdatum.
        toewijzing_ingangsdatum: NaiveDate = req "ToewijzingIngangsdatum",
        /// ToewijzingEinddatum.
        toewijzing_einddatum: Option<NaiveDate> = opt "ToewijzingEinddatum",
        /// Omvang.
        omvang: Option<Omvang> = opt "Omvang",
        /// Budget.
        budget: Option<Budget> = opt "Budget",
        /// Verwijzer.
        verwijzer: Verwijzer = req "Verwijzer",
        /// Raamcontract.
        raamcontract: Option<JaNee> = opt "Raamcontract",
        /// Commentaar.
        commentaar: Option<Commentaar> = opt "Commentaar",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

// ---- WMO317/318 verzoek om wijziging ----

complex! {
    /// WMO317 `Client`.
    pub struct Client317 [Msg, Client] {
        /// Bsn.
        bsn: BurgerServicenummer = req "Bsn",
        /// Verzoek.
        verzoek: Verzoek = req "Verzoek",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO317 `Verzoek`.
    pub struct Verzoek [Msg, Verzoek] {
        /// ReferentieAanbieder.
        referentie_aanbieder: Referentie = req "ReferentieAanbieder",
        /// RedenVerzoek.
        reden_verzoek: RedenVerzoek = req "RedenVerzoek",
        /// OngewijzigdeProducten.
        ongewijzigde_producten: Vec<OngewijzigdProduct> = optlist "OngewijzigdeProducten" / "OngewijzigdProduct",
        /// TeWijzigenProducten.
        te_wijzigen_producten: Vec<TeWijzigenProduct> = optlist "TeWijzigenProducten" / "TeWijzigenProduct",
        /// NieuweProducten.
        nieuwe_producten: Vec<NieuwProduct> = optlist "NieuweProducten" / "NieuwProduct",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

impl Verzoek {
    /// ToewijzingNummers of the existing toewijzingen the verzoek names,
    /// unchanged ones first, then the ones to change.
    pub fn genoemde_toewijzingnummers(&self) -> impl Iterator<Item = u32> + '_ {
        let ongewijzigd = self
            .ongewijzigde_producten
            .iter()
            .map(|p| p.toewijzing_nummer);
        let te_wijzigen = self
            .te_wijzigen_producten
            .iter()
            .map(|p| p.toewijzing_nummer);
        ongewijzigd.chain(te_wijzigen).map(|n| n.get())
    }
}

complex! {
    /// WMO317 `OngewijzigdProduct`.
    pub struct OngewijzigdProduct [Msg, OngewijzigdProduct] {
        /// ToewijzingNummer.
        toewijzing_nummer: Nummer = req "ToewijzingNummer",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO317 `TeWijzigenProduct`.
    pub struct TeWijzigenProduct [Msg, TeWijzigenProduct] {
        /// ToewijzingNummer.
        toewijzing_nummer: Nummer = req "ToewijzingNummer",
        /// GewensteIngangsdatum.
        gewenste_ingangsdatum: NaiveDate = req "GewensteIngangsdatum",
        /// Einddatum.
        einddatum: Option<NaiveDate> = opt "Einddatum",
        /// Omvang.
        omvang: Option<Omvang> = opt "Omvang",
        /// Budget.
        budget: Option<Budget> = opt "Budget",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO317 `NieuwProduct`.
    pub struct NieuwProduct [Msg, NieuwProduct] {
        /// Product.
        product: Option<Product> = opt "Product",
        /// GewensteIngangsdatum (TR380: after the Dagtekening).
        gewenste_ingangsdatum: NaiveDate = req "GewensteIngangsdatum",
        /// Einddatum.
        einddatum: Option<NaiveDate> = opt "Einddatum",
        /// Omvang.
        omvang: Option<Omvang> = opt "Omvang",
        /// Budget.
        budget: Option<Budget> = opt "Budget",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

// ---- WMO319/320 antwoord ----

complex! {
    /// WMO319 `Antwoord`.
    pub struct Antwoord [Msg, Antwoord] {
        /// ReferentieAanbieder.
        referentie_aanbieder: Referentie = req "ReferentieAanbieder",
        /// VerzoekAntwoord.
        verzoek_antwoord: VerzoekAntwoord = req "VerzoekAntwoord",
        /// RedenAfwijzingVerzoek (CD085/CD086).
        reden_afwijzing_verzoek: Option<RedenAfwijzingVerzoek> = opt "RedenAfwijzingVerzoek",
        /// RetourCodes (retour only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

// ---- WMO323/325 declaratie ----

complex! {
    /// WMO323/325 `Client` with its Prestaties: the streaming record of a declaratie.
    pub struct DeclaratieClient [Msg, Client] {
        /// Bsn.
        bsn: BurgerServicenummer = req "Bsn",
        /// Prestaties.
        prestaties: Vec<Prestatie> = list "Prestaties" / "Prestatie",
        /// RetourCodes (WMO325 only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

complex! {
    /// WMO323/325 `Prestatie`.
    pub struct Prestatie [Msg, Prestatie] {
        /// ProductReferentie.
        product_referentie: ProductReferentie = req "ProductReferentie",
        /// ToewijzingNummer.
        toewijzing_nummer: Nummer = req "ToewijzingNummer",
        /// ProductCategorie.
        product_categorie: ProductCategorie = req "ProductCategorie",
        /// ProductCode.
        product_code: ProductCode = req "ProductCode",
        /// ProductPeriode.
        product_periode: GeslotenPeriode = req "ProductPeriode",
        /// GeleverdVolume.
        geleverd_volume: Volume = req "GeleverdVolume",
        /// Eenheid.
        eenheid: Eenheid = req "Eenheid",
        /// ProductTarief in eurocents (CD087).
        product_tarief: Option<Bedrag> = opt "ProductTarief",
        /// IngediendBedrag.
        ingediend_bedrag: BedragMetDc = req "IngediendBedrag",
        /// RetourCodes (WMO325 only).
        retourcodes: Vec<RetourCode> = retour "RetourCodes",
    }
}

impl BedragMetDc {
    /// Signed amount in eurocents (credit negative).
    pub fn signed(&self) -> i64 {
        match self.debet_credit {
            DebetCredit::Debet => i64::from(self.bedrag.get()),
            DebetCredit::Credit => -i64::from(self.bedrag.get()),
        }
    }
}

impl TotaalBedragMetDc {
    /// Signed total in eurocents (credit negative).
    pub fn signed(&self) -> i64 {
        let v = self.totaal_bedrag.get() as i64;
        match self.debet_credit {
            DebetCredit::Debet => v,
            DebetCredit::Credit => -v,
        }
    }

    /// Builds a total from a signed amount (zero is debet, CS325).
    ///
    /// # Errors
    /// If the magnitude exceeds `LDT_TotaalBedrag`.
    pub fn from_signed(v: i64) -> Result<Self, FacetError> {
        Ok(TotaalBedragMetDc {
            totaal_bedrag: TotaalBedrag::new(v.unsigned_abs())?,
            debet_credit: if v < 0 {
                DebetCredit::Credit
            } else {
                DebetCredit::Debet
            },
        })
    }
}
