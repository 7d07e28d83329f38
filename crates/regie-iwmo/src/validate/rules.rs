//! The rule catalogue: every rule this crate checks, as data — official code,
//! official text, kind, retourcode and the message class it is reported at.
//!
//! Retourcodes come from the standard (`docs/Condities_constraints…`,
//! `docs/technische-regels/*/TR*.md`). Process rules (OP/UP/IV) have no
//! retourcode in the standard; a message that breaks them "does not conform
//! to the standard and may be rejected" (OP?? in *Regels op berichten*), so
//! they are reported with `0001` and `officieel: false` makes that choice visible.

use crate::model::Berichtklasse;
use crate::types::RetourCode;
use serde::Serialize;

/// Kind of rule in the iWmo rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RuleKind {
    /// XSD structure / restriction (RS) violation.
    Structuur,
    /// Conditie (CD): when an element must or may be filled.
    Conditie,
    /// Constraint (CS): allowed values within one message.
    Constraint,
    /// Technische regel checkable inside one message (TR, XSLT).
    TechnischeRegel,
    /// Technische regel across messages (TR, berichtoverstijgend / externe bron).
    Berichtoverstijgend,
    /// Process rule (OP/UP/IV) or execution-variant rule.
    Procesregel,
}

/// One rule of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Official code, e.g. `CS002`, `TR056`, `OP259`.
    pub code: &'static str,
    /// Kind.
    pub kind: RuleKind,
    /// Official text (Dutch).
    pub tekst: &'static str,
    /// Retourcode reported when the rule is broken.
    pub retourcode: RetourCode,
    /// Whether the standard itself assigns this retourcode (false for the `0001` fallback of process rules).
    pub officieel: bool,
    /// Message class the error is normally reported at.
    pub klasse: Berichtklasse,
}

macro_rules! rules {
    ($( $id:ident = $kind:ident, $rc:literal, $off:literal, $klasse:ident, $tekst:literal; )*) => {
        $(
            #[doc = concat!("`", stringify!($id), "`: ", $tekst)]
            pub const $id: Rule = Rule {
                code: stringify!($id),
                kind: RuleKind::$kind,
                tekst: $tekst,
                retourcode: RetourCode::known($rc),
                officieel: $off,
                klasse: Berichtklasse::$klasse,
            };
        )*
        /// Every rule in the catalogue.
        pub const ALL: &[Rule] = &[$($id),*];
    };
}

rules! {
    XSD = Structuur, "0001", true, Header, "Het bericht voldoet niet aan de XSD (structuur, verplichte elementen, lengtes, patronen, enumeraties).";
    // ---- Constraints and conditions (Condities_constraints_per_data-element.md) ----
    CS002 = Constraint, "0001", true, Client, "De waarde moet voldoen aan de 11-proef.";
    CS139 = Constraint, "0001", true, Client, "Voor Geboortedatum geldt dat DatumGebruik en Datum met elkaar in overeenstemming moeten zijn.";
    CS318 = Constraint, "0001", true, Client, "NaamGebruik 6 (Niet-natuurlijk persoon) niet vullen.";
    CS050 = Constraint, "0001", true, Client, "Als Partnernaam gevuld is, dan NaamGebruik vullen met waarde 1, 2, 3 of 4. Anders waarde 1 of 6 vullen.";
    CD007 = Conditie, "0001", true, Client, "Als Communicatie / Vorm de waarde 1 (tolk taal) heeft, dan verplicht vullen, anders leeglaten.";
    CD025 = Conditie, "0001", true, Contact, "Als Adres / LandCode de waarde NL (Nederland) heeft, dan verplicht vullen.";
    CD034 = Conditie, "0001", true, Contact, "Als Soort adres de waarde 1 (BRP-adres) of 3 (verblijfadres) heeft, dan verplicht vullen.";
    CS089 = Constraint, "0001", true, Contact, "Als LandCode de waarde NL (Nederland) heeft, dan moet het formaat overeenkomen met dat van een Nederlandse postcode.";
    CD005 = Conditie, "0001", true, Contact, "Als Postcode gevuld is, dan verplicht vullen, anders leeg laten.";
    CD009 = Conditie, "0001", true, Contact, "Alleen als Soort adres de waarde 04 (tijdelijk adres) heeft, is vullen toegestaan.";
    CS003 = Constraint, "0001", true, ToegewezenProduct, "Indien van toepassing vullen met een waarde die groter is dan, of gelijk is aan de Begindatum (of Ingangsdatum) van de aangeduide periode.";
    CD079 = Conditie, "0001", true, ToegewezenProduct, "Indien Budget leeg is, dan verplicht vullen";
    CD075 = Conditie, "0001", true, ToegewezenProduct, "Verplicht vullen indien Budget gevuld is";
    CD076 = Conditie, "0001", true, ToegewezenProduct, "Verplicht vullen indien Frequentie waarde 2 (per week)";
    CS335 = Constraint, "0001", true, ToegewezenProduct, "RedenWijziging 13 (verwijderd) mag alleen gebruikt worden indien de ingangsdatum gelijk is aan de einddatum";
    CS336 = Constraint, "0001", true, ToegewezenProduct, "01 (Administratieve correctie (vervallen)) niet gebruiken";
    CD041 = Conditie, "0001", true, ToegewezenProduct, "Indien Code in Product gevuld is, verplicht vullen.";
    CD077 = Conditie, "0001", true, ToegewezenProduct, "Indien Budget gevuld is, dan leeg laten";
    CD080 = Conditie, "0001", true, ToegewezenProduct, "Indien Code in Product leeg is en Einddatum van het ToegewezenProduct groter dan 31-12-2020 of leeg is, dan leeg laten";
    CS338 = Constraint, "0001", true, ToegewezenProduct, "Indien eenheid de waarde 14, 16, 83 of 84 heeft en Einddatum groter dan 31-12-2020 of leeg is, dan Frequentie vullen met de waarde 2 , 4 of 6";
    CD078 = Conditie, "0001", true, ToegewezenProduct, "Indien Omvang gevuld is, dan leeg laten";
    CS058 = Constraint, "0001", true, StartProduct, "1 (eerste aanlevering) of 3 (verwijderen aanlevering) vullen.";
    CD095 = Conditie, "0001", true, AangevraagdProduct, "Indien Code in AangevraagdProduct leeg is en ToewijzingEinddatum van het AangevraagdProduct groter dan 31-12-2020 of leeg is, dan leeg laten";
    CS343 = Constraint, "0001", true, AangevraagdProduct, "Indien eenheid de waarde 14, 16, 83 of 84 heeft en ToewijzingEinddatum is groter dan 31-12-2020 of leeg, dan Frequentie vullen met waarde 2, 4 of 6";
    CD043 = Conditie, "0001", true, AangevraagdProduct, "Indien Beschikkingnummer gevuld is, verplicht vullen, anders leeg laten.";
    CD066 = Conditie, "0001", true, AangevraagdProduct, "Als type verwijzer gelijk is aan 02, 03, 04 of 05 en ZorgverlenerCode is gevuld, dan is Naamverwijzer leeg.";
    CD067 = Conditie, "0001", true, AangevraagdProduct, "Als type verwijzer gelijk is aan 02, 03, 04 of 05 en ZorgverlenerCode is leeg, dan is Naamverwijzer gevuld.";
    CD068 = Conditie, "0001", true, AangevraagdProduct, "Als type verwijzer ongelijk is aan 02, 03, 04 of 05, dan is ZorgverlenerCode leeg.";
    CD096 = Conditie, "0001", true, NieuwProduct, "Indien Code in NieuwProduct leeg is en Einddatum groter dan 31-12-2020 of leeg is, dan leeg laten";
    CD085 = Conditie, "0001", true, Antwoord, "Als VerzoekAntwoord de waarde 1 (Verzoek afgewezen) heeft, dan vullen";
    CD086 = Conditie, "0001", true, Antwoord, "Als VerzoekAntwoord de waarde 2 (Aanvraag in onderzoek) heeft, dan leeg laten";
    CS100 = Constraint, "0001", true, Declaratie, "Vullen met een datum die groter dan of gelijk is aan 01-01-2021";
    CS340 = Constraint, "0001", true, Declaratie, "De periode is exact gelijk aan 1 hele kalendermaand";
    CS325 = Constraint, "0001", true, Prestatie, "Indien (Totaal)Bedrag de waarde 0 heeft, dan DebetCredit vullen met D (Debet).";
    CD060 = Conditie, "0001", true, Prestatie, "Verplicht vullen indien DebetCredit bij het ingediende bedrag de waarde C (credit) heeft, anders leeg laten.";
    CS337 = Constraint, "0001", true, Prestatie, "Einddatum in de ProductPeriode vullen met een datum die valt in dezelfde kalendermaand en jaar als de Begindatum van de ProductPeriode";
    CD087 = Conditie, "0001", true, Prestatie, "Als eenheid ongelijk is aan 83 (euro's) dan verplicht vullen, anders leeg laten.";
    CS339 = Constraint, "0001", true, Prestatie, "Indien Eenheid de waarde 83 (euro's) heeft, moet IngediendBedrag gelijk zijn aan GeleverdVolume.";
    // ---- Technical rules inside one message (XSLT) ----
    TR002 = TechnischeRegel, "0001", true, Client, "Geboortedatum mag niet meer dan 120 jaar voor de Dagtekening liggen, tenzij Geboortedatum onbekend is.";
    TR006 = TechnischeRegel, "0001", true, Contact, "De berichtklasse Contact moet een berichtelement Telefoon, en/of de combinatie Huis en Postcode bevatten.";
    TR018 = TechnischeRegel, "0001", true, StopProduct, "Einddatum moet groter dan of gelijk zijn aan Begindatum.";
    TR061 = TechnischeRegel, "0001", true, Client, "Bij een Client moet minimaal één Adres voorkomen waarvan Soort de waarde '01' (BRP-adres), '02' (Correspondentie-adres) of '03' (Verblijfadres) heeft.";
    TR101 = TechnischeRegel, "0001", true, Client, "Binnen een bericht zijn dubbele regels niet toegestaan.";
    TR134 = TechnischeRegel, "0001", true, Client, "Vullen met een bestaande datum die niet groter is dan de Dagtekening van het bericht.";
    TR137 = TechnischeRegel, "0001", true, Prestatie, "Vullen met een waarde die groter is dan, of gelijk is aan de Begindatum van de aangeduide periode én die niet groter is dan de Dagtekening van het bericht.";
    TR302 = TechnischeRegel, "0001", true, ToegewezenProduct, "Een Product mag alleen vaker in een toewijzingsbericht voorkomen indien de zorgperiodes elkaar niet overlappen.";
    TR315 = TechnischeRegel, "0001", true, Prestatie, "VorigReferentieNummer van de Prestatie moet uniek zijn in het bericht.";
    TR316 = TechnischeRegel, "0001", true, Prestatie, "Debetregels mogen niet in hetzelfde bericht gecrediteerd worden.";
    TR335 = TechnischeRegel, "0001", true, Prestatie, "Einddatum mag niet meer dan 5 jaar voor DeclaratieDagtekening liggen.";
    TR352 = TechnischeRegel, "0001", true, Verzoek, "Bij een verzoek om wijziging komt minstens 1 OngewijzigdProduct of TeWijzigenProduct voor.";
    TR353 = TechnischeRegel, "0001", true, Verzoek, "Bij een verzoek om wijziging komt minstens 1 TeWijzigenProduct of NieuwProduct voor.";
    TR358 = TechnischeRegel, "0001", true, Declaratie, "De waarde van TotaalBedrag in TotaalIngediendBedrag moet gelijk zijn aan de SOM van de waarden van Bedrag in Ingediendbedrag in alle onderliggende Prestaties, rekening houdend met indicatie debet/credit.";
    TR380 = TechnischeRegel, "0001", true, NieuwProduct, "Vullen met een datum die groter is dan de dagtekening van het bericht.";
    TR383 = TechnischeRegel, "0001", true, AangevraagdProduct, "ReferentieAanbieder is uniek voor elk AangevraagdProduct binnen het bericht.";
    TR386 = TechnischeRegel, "0001", true, AangevraagdProduct, "Een Product mag alleen vaker in een verzoek om toewijzing voorkomen indien de zorgperiodes elkaar niet overlappen.";
    TR410 = TechnischeRegel, "0001", true, NieuwProduct, "Een Product mag alleen vaker in de berichtklassen NieuwProduct voorkomen als de zorgperiodes elkaar niet overlappen.";
    TR416 = TechnischeRegel, "0001", true, Prestatie, "Prestatie met DebetCredit in IngediendBedrag waarde Debet mag alleen ingezonden worden voor dezelfde ProductPeriode, ProductCategorie en ProductCode met gelijk ToewijzingNummer als er niet al een Prestatie met waarde Debet is.";
    TR346 = TechnischeRegel, "9346", true, Prestatie, "Indien Eenheid ongelijk is aan waarde 83 (Euro's), moet IngediendBedrag gelijk zijn aan GeleverdVolume vermenigvuldigd met ProductTarief.";
    // ---- Technical rules across messages ----
    TR019 = Berichtoverstijgend, "9019", true, StartProduct, "Bij een output- of inspanningsgerichte werkwijze moet de melding van de start of de stop van de ondersteuning gerelateerd zijn aan een toewijzing op basis van het ToewijzingNummer";
    TR056 = Berichtoverstijgend, "9056", true, Header, "Identificatie moet per berichtsoort uniek zijn voor de verzendende partij.";
    TR063 = Berichtoverstijgend, "9063", true, StartProduct, "Indien StatusAanlevering de waarde 3 (aanlevering verwijderen) bevat, dan moet voor de betreffende Client een eerdere aanlevering met dezelfde logische sleutel verstuurd zijn.";
    TR071 = Berichtoverstijgend, "9071", true, StartProduct, "StatusAanlevering mag niet de waarde '3' bevatten als er voor de betreffende melding start zorg al een stop zorg is verstuurd.";
    TR074 = Berichtoverstijgend, "9074", true, StartProduct, "Indien StatusAanlevering de waarde '1' bevat, dan moet de sleutel van de betreffende aanlevering niet alleen uniek zijn binnen het bericht zelf, maar ook in combinatie met alle reeds ontvangen berichten.";
    TR304 = Berichtoverstijgend, "8187", true, Client, "Bsn moet overeenkomen met Bsn van een Client.";
    TR307 = Berichtoverstijgend, "9307", true, Prestatie, "Begindatum in ProductPeriode in Prestatie moet groter dan of gelijk zijn aan Ingangsdatum in ToegewezenProduct.";
    TR308 = Berichtoverstijgend, "9308", true, Prestatie, "Einddatum in ProductPeriode in Prestatie moet kleiner dan of gelijk zijn aan Einddatum in ToegewezenProduct, indien die gevuld is.";
    TR314 = Berichtoverstijgend, "8021", true, Prestatie, "ReferentieNummer van de Prestatie moet uniek zijn voor de aanbieder binnen het wettelijk domein waarop de Prestatie betrekking heeft, zowel binnen één bericht als berichtoverstijgend.";
    TR319 = Berichtoverstijgend, "9319", true, Prestatie, "Een declaratiebericht bevat alleen prestaties waarvan de ProductPeriode valt binnen de huidige, of een voorgaande declaratieperiode.";
    TR321 = Berichtoverstijgend, "9321", true, Prestatie, "Indien in het ToegewezenProduct een Omvang is meegegeven, moet GeleverdVolume in de Prestatie passen binnen Volume in het ToegewezenProduct.";
    TR322 = Berichtoverstijgend, "9322", true, Prestatie, "Indien in het ToegewezenProduct een Omvang is meegegeven, moet de som van GeleverdVolume in alle ingediende Prestaties die betrekking hebben op dat ToegewezenProduct passen binnen de toegewezen Omvang.";
    TR323 = Berichtoverstijgend, "8017", true, Prestatie, "Een credit Prestatie moet gerelateerd zijn aan een eerder verzonden (goedgekeurde) debet Prestatie op basis van sleutelvelden.";
    TR326 = Berichtoverstijgend, "9326", true, StartProduct, "Een Startbericht mag pas verstuurd worden als er géén actueel Startbericht bij ToegewezenProduct is.";
    TR332 = Berichtoverstijgend, "9332", true, ToegewezenProduct, "Ieder ToegewezenProduct binnen één gemeente heeft een uniek nummer per wettelijk domein.";
    TR333 = Berichtoverstijgend, "9333", true, Declaratie, "DeclaratieNummer van de Declaratie moet uniek zijn voor de aanbieder binnen het wettelijk domein waarop de Declaratie betrekking heeft.";
    TR338 = Berichtoverstijgend, "9338", true, Prestatie, "De Prestatie is gerelateerd aan een ToegewezenProduct op basis van het Toewijzingnummer.";
    TR339 = Berichtoverstijgend, "9339", true, Prestatie, "ProductCategorie in Prestatie moet gelijk zijn aan ProductCategorie in het ToegewezenProduct indien deze opgenomen is.";
    TR340 = Berichtoverstijgend, "9340", true, Prestatie, "ProductCode in Prestatie moet gelijk zijn aan ProductCode in het ToegewezenProduct, indien deze opgenomen is.";
    TR341 = Berichtoverstijgend, "9341", true, Prestatie, "Eenheid in Prestatie moet passen bij Eenheid in het ToegewezenProduct.";
    TR347 = Berichtoverstijgend, "9347", true, AangevraagdProduct, "ReferentieAanbieder is uniek voor de aanbieder binnen het wettelijk domein.";
    TR349 = Berichtoverstijgend, "9349", true, Verzoek, "Het verzoek om wijziging bericht bevat alle actuele ToegewezenProducten van de client.";
    TR350 = Berichtoverstijgend, "9350", true, OngewijzigdProduct, "Ieder OngewijzigdProduct in een verzoek om wijziging bericht is gerelateerd aan een actueel toegewezen product op basis van het ToewijzingNummer.";
    TR351 = Berichtoverstijgend, "9351", true, TeWijzigenProduct, "Ieder TeWijzigenProduct in een verzoek om wijziging is gerelateerd aan een actueel ToegewezenProduct op basis van ToewijzingNummer.";
    TR355 = Berichtoverstijgend, "9355", true, Antwoord, "ReferentieAanbieder in het antwoordbericht komt voor in een eerder verzoek om toewijzing of verzoek om wijziging.";
    TR357 = Berichtoverstijgend, "9357", true, TeWijzigenProduct, "Als GewensteIngangsdatum kleiner dan of gelijk is aan de dagtekening, dan is GewensteIngangsdatum gelijk aan ingangsdatum van het originele ToegewezenProduct.";
    TR359 = Berichtoverstijgend, "9359", true, Antwoord, "Als een antwoordbericht wordt verstuurd, mag er niet al eerder een toewijzingsbericht gestuurd zijn met dezelfde ReferentieAanbieder.";
    TR360 = Berichtoverstijgend, "9360", true, Antwoord, "Een antwoordbericht met in VerzoekAntwoord de waarde 2 (Aanvraag in onderzoek), mag alleen gestuurd worden indien er nog geen antwoordbericht is met deze ReferentieAanbieder.";
    TR361 = Berichtoverstijgend, "9361", true, TeWijzigenProduct, "Een Product mag alleen vaker in verzoek om wijziging voorkomen als de zorgperiodes elkaar niet overlappen.";
    TR365 = Berichtoverstijgend, "9365", true, Antwoord, "Als er al een antwoordbericht is met dezelfde ReferentieAanbieder dan moet VerzoekAntwoord daar de waarde 2 (Aanvraag in onderzoek) hebben.";
    TR369 = Berichtoverstijgend, "9369", true, Prestatie, "Indien in het ToegewezenProduct een Budget is meegegeven, moet de som van GeleverdVolume in alle ingediende Prestaties die betrekking hebben op dat ToegewezenProduct passen binnen het toegewezen Budget.";
    TR373 = Berichtoverstijgend, "9373", true, TeWijzigenProduct, "Indien in een TeWijzigenProduct het Budget of het totaal over toewijzingsperiode wordt gewijzigd, dient GewensteIngangsdatum gelijk te zijn aan de actuele toewijzing.";
    TR374 = Berichtoverstijgend, "9374", true, Client, "Een verzoek mag alleen worden verstuurd als er geen onderhanden verzoek is voor de betreffende client van dezelfde aanbieder.";
    TR375 = Berichtoverstijgend, "9375", true, TeWijzigenProduct, "Indien Product in de toewijzing met ToewijzingNummer leeg is en Einddatum groter dan 31-12-2020 of leeg is, dan leeg laten.";
    TR379 = Berichtoverstijgend, "9379", true, ToegewezenProduct, "Indien ToegewezenProduct wordt verstuurd ter honorering van een VOT of VOW, dient ReferentieAanbieder te worden gevuld met ReferentieAanbieder uit die VOT of VOW, anders leeglaten.";
    TR382 = Berichtoverstijgend, "9069", true, StopProduct, "De sleutelelementen uit het startbericht moeten in het stopbericht, waarin wordt aangegeven dat de betreffende levering (tijdelijk) beeindigd wordt, ongewijzigd worden overgenomen.";
    TR384 = Berichtoverstijgend, "9384", true, Prestatie, "Het is niet toegestaan te declareren op een toewijzing met RedenWijziging waarde \"13\" (Verwijderd).";
    TR385 = Berichtoverstijgend, "9385", true, ToegewezenProduct, "Indien de toewijzing goedgekeurde (niet gecrediteerde) prestatiesregels met gelijk ToewijzingNummer heeft, is het niet toegestaan deze toewijzing te verwijderen met RedenWijziging waarde 13 (verwijderd).";
    TR387 = Berichtoverstijgend, "9387", true, Prestatie, "De Begindatum van een ProductPeriode is altijd de eerste dag van de kalendermaand waarop de ProductPeriode betrekking heeft tenzij de Ingangsdatum van de toewijzing later in de betreffende maand ligt.";
    TR388 = Berichtoverstijgend, "9388", true, Prestatie, "De Einddatum van een ProductPeriode is altijd de laatste dag van de kalendermaand waarop de ProductPeriode betrekking heeft tenzij de Einddatum van de toewijzing eerder in de betreffende maand ligt.";
    TR389 = Berichtoverstijgend, "9389", true, Prestatie, "Prestatie met DebetCredit in IngediendBedrag waarde Debet mag alleen ingezonden worden voor dezelfde ProductPeriode, ProductCategorie en ProductCode met gelijk ToewijzingNummer als er niet al eerder een debetprestatie is verzonden.";
    TR390 = Berichtoverstijgend, "9390", true, Prestatie, "DebetCredit mag alleen waarde Credit hebben indien voor Prestatie met gelijk ProductReferentie niet een Prestatie met Credit bestaat";
    TR411 = Berichtoverstijgend, "9411", true, TeWijzigenProduct, "Indien Code in Product bij de toewijzing met ToewijzingNummer gevuld is, dan Omvang verplicht vullen";
    TR412 = Berichtoverstijgend, "9412", true, TeWijzigenProduct, "Indien Code in Product bij de toewijzing met ToewijzingNummer leeg is en einddatum groter dan 31-12-2020 of leeg is, dan leeg laten";
    TR413 = Berichtoverstijgend, "9413", true, StopProduct, "Als er al een StopProduct voor hetzelfde Bsn, ToewijzingNummer, Begindatum en met RedenBeeindiging waarde 20 is, dan moet RedenBeeindiging <> aan waarde 20 zijn, indien StatusAanlevering waarde 1 of 2 heeft.";
    TR414 = Berichtoverstijgend, "9414", true, StopProduct, "Als er al een StopProduct voor hetzelfde Bsn, ToewijzingNummer en Begindatum is, dan moet Einddatum >= zijn aan Einddatum uit actuele StopProduct.";
    TR415 = Berichtoverstijgend, "9415", true, StopProduct, "Er mag geen StopProduct zijn met gelijk Bsn, ToewijzingNummer, Begindatum en RedenBeeindiging <> waarde 20, indien StatusAanlevering waarde 1 of 2 heeft";
    TR418 = Berichtoverstijgend, "0611", true, Prestatie, "ProductTarief in Prestatie dient overeen te komen met het contractuele tarief van ProductCode.";
    // ---- Process rules and execution variants (no official retourcode) ----
    OP087 = Procesregel, "0001", false, ToegewezenProduct, "Een toewijzingsbericht bevat voor 1 cliënt altijd alle toewijzingen voor 1 aanbieder die op of na de aanmaakdatum van het bericht geldig zijn plus alle toewijzingen die gewijzigd zijn ten opzichte van het voorgaande toewijzingsbericht.";
    OP259 = Procesregel, "0001", false, ToegewezenProduct, "Het is niet toegestaan om een zorg- of ondersteuningsproduct gestapeld toe te wijzen.";
    OP086 = Procesregel, "0001", false, Header, "Ondersteuningsproducten met een inspannings- of outputgerichte uitvoering worden altijd door de gemeente toegewezen met een toewijzingsbericht (taakgericht kent geen toewijzing per cliënt).";
    UP025 = Procesregel, "0001", false, Header, "De geleverde ondersteuning wordt gedeclareerd op clientniveau (inspannings- en outputgericht).";
    OP262 = Procesregel, "0001", false, ToegewezenProduct, "Voor ondersteuningsproducten met een inspanningsgerichte uitvoering wordt een tarief per tijdseenheid afgesproken behalve voor ondersteuningsproducten met de eenheid stuks (inspanning).";
    OP263 = Procesregel, "0001", false, ToegewezenProduct, "Voor ondersteuningsproducten met een outputgerichte werkwijze wordt een tarief per stuk afgesproken of wordt afgesproken dat een bedrag in euro's over een vastgestelde periode wordt vastgesteld.";
    IV096 = Procesregel, "0001", false, StartProduct, "Bij een taakgerichte uitvoeringsvariant is geen sprake van een toewijzing; de sleutel van start-/stopbericht bestaat uit Product en Begindatum.";
}

/// Looks a rule up by code.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_retourcodes_match_the_standard() {
        let mut codes: Vec<_> = ALL.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(n, codes.len(), "duplicate rule code");
        // TR rules with their own retourcode use 9 + the TR number where the standard says so.
        for r in ALL
            .iter()
            .filter(|r| r.kind == RuleKind::Berichtoverstijgend)
        {
            let num = &r.code[2..];
            let rc = r.retourcode.code();
            let own = rc == format!("9{num}");
            let known_other = matches!(r.code, "TR304" | "TR314" | "TR323" | "TR382" | "TR418");
            assert!(
                own || known_other,
                "{} has unexpected retourcode {}",
                r.code,
                rc
            );
        }
    }
}
