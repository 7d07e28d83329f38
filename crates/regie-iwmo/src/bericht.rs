//! Whole messages: the fourteen iWmo 3.2 message types, their headers, and
//! parsing/serialising entry points. Parsing is a single forward pass over
//! the input; a WMO323/325 declaratie can be consumed client by client with
//! [`DeclaratieReader`] so a large batch never has to be held in memory.

use crate::model::*;
use crate::types::*;
use crate::xml::{Cx, In, NsKind, Out, ParseError, ParseErrorDetail, ParseErrorKind, XmlValue};
use chrono::NaiveDate;

/// The fourteen iWmo 3.2 message types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum MessageType {
    /// Toewijzing.
    Wmo301,
    /// Retour toewijzing.
    Wmo302,
    /// Start levering.
    Wmo305,
    /// Retour start levering.
    Wmo306,
    /// Stop levering.
    Wmo307,
    /// Retour stop levering.
    Wmo308,
    /// Verzoek om toewijzing.
    Wmo315,
    /// Retour verzoek om toewijzing.
    Wmo316,
    /// Verzoek om wijziging.
    Wmo317,
    /// Retour verzoek om wijziging.
    Wmo318,
    /// Antwoordbericht.
    Wmo319,
    /// Retour antwoordbericht.
    Wmo320,
    /// Declaratie.
    Wmo323,
    /// Declaratie-antwoord.
    Wmo325,
}

/// Namespace URIs in [`MessageType::ALL`] order.
const NAMESPACES: [&str; 14] = [
    "http://www.istandaarden.nl/iwmo/3_2/wmo301/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo302/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo305/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo306/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo307/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo308/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo315/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo316/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo317/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo318/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo319/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo320/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo323/schema",
    "http://www.istandaarden.nl/iwmo/3_2/wmo325/schema",
];

impl MessageType {
    /// All types, heen/retour pairs adjacent.
    pub const ALL: [MessageType; 14] = [
        MessageType::Wmo301,
        MessageType::Wmo302,
        MessageType::Wmo305,
        MessageType::Wmo306,
        MessageType::Wmo307,
        MessageType::Wmo308,
        MessageType::Wmo315,
        MessageType::Wmo316,
        MessageType::Wmo317,
        MessageType::Wmo318,
        MessageType::Wmo319,
        MessageType::Wmo320,
        MessageType::Wmo323,
        MessageType::Wmo325,
    ];

    fn idx(self) -> usize {
        self as usize
    }

    /// Name, e.g. `WMO301`.
    pub fn name(self) -> &'static str {
        [
            "WMO301", "WMO302", "WMO305", "WMO306", "WMO307", "WMO308", "WMO315", "WMO316",
            "WMO317", "WMO318", "WMO319", "WMO320", "WMO323", "WMO325",
        ][self.idx()]
    }

    /// Lower-case prefix used in XML, e.g. `wmo301`.
    pub fn prefix(self) -> &'static str {
        [
            "wmo301", "wmo302", "wmo305", "wmo306", "wmo307", "wmo308", "wmo315", "wmo316",
            "wmo317", "wmo318", "wmo319", "wmo320", "wmo323", "wmo325",
        ][self.idx()]
    }

    /// BerichtCode (COD002 Vektis), fixed by the message XSD.
    pub fn berichtcode(self) -> &'static str {
        [
            "414", "415", "418", "419", "420", "421", "444", "445", "480", "481", "482", "483",
            "484", "485",
        ][self.idx()]
    }

    /// Target namespace.
    pub fn namespace(self) -> &'static str {
        NAMESPACES[self.idx()]
    }

    /// Retour (answer) message type of a heen message, or `None` for retour types.
    pub fn retour(self) -> Option<MessageType> {
        if self.is_retour() {
            None
        } else {
            Some(MessageType::ALL[self.idx() + 1])
        }
    }

    /// The heen message a retour answers (identity for heen types).
    pub fn heen(self) -> MessageType {
        if self.is_retour() {
            MessageType::ALL[self.idx() - 1]
        } else {
            self
        }
    }

    /// Whether this is a retour message.
    pub fn is_retour(self) -> bool {
        self.idx() % 2 == 1
    }

    /// Parses `WMO301` / `wmo301` / `301`.
    pub fn from_name(s: &str) -> Option<Self> {
        let digits = s.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        MessageType::ALL
            .into_iter()
            .find(|t| &t.name()[3..] == digits)
    }

    /// XSD file name, e.g. `WMO301.xsd`.
    pub fn xsd_file(self) -> String {
        format!("{}.xsd", self.name())
    }

    /// Sender is a gemeente (301, 319 and their retours, 325).
    pub fn sent_by_gemeente(self) -> bool {
        matches!(self.heen(), MessageType::Wmo301 | MessageType::Wmo319)
            || self == MessageType::Wmo325
    }

    pub(crate) fn cx(self) -> Cx {
        Cx {
            prefix: self.prefix(),
            ns: self.namespace(),
            retour: self.is_retour(),
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Header of a heen message. `A` is the sender type, `O` the receiver type
/// ([`Gemeente`] or [`AgbCode`]). BerichtCode/-Versie/-Subversie are fixed
/// by the XSD and therefore not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<A, O> {
    /// Afzender.
    pub afzender: A,
    /// Ontvanger.
    pub ontvanger: O,
    /// BerichtIdentificatie.
    pub bericht_identificatie: BerichtIdentificatie,
    /// XsdVersie.
    pub xsd_versie: XsdVersie,
}

/// Header of WMO302–WMO320: the heen header plus the retour's own identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetourHeader<A, O> {
    /// The heen message's header, copied.
    pub heen: Header<A, O>,
    /// IdentificatieRetour.
    pub identificatie_retour: IdentificatieBericht,
    /// DagtekeningRetour.
    pub dagtekening_retour: NaiveDate,
    /// XsltVersie.
    pub xslt_versie: Option<Versie>,
    /// XsdVersieRetour.
    pub xsd_versie_retour: XsdVersie,
    /// RetourCodes of the Header class (0..1 wrapper; empty = absent).
    pub retourcodes: Vec<RetourCode>,
}

/// Header of WMO325 (declaratie-antwoord).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header325 {
    /// Own header (gemeente → aanbieder).
    pub header: Header<Gemeente, AgbCode>,
    /// DeclaratieIdentificatie: BerichtIdentificatie of the answered WMO323.
    pub declaratie_identificatie: BerichtIdentificatie,
    /// XsltVersie.
    pub xslt_versie: Option<Versie>,
    /// XsdVersieDeclaratie.
    pub xsd_versie_declaratie: XsdVersie,
    /// RetourCodes of the Header class (1..n).
    pub retourcodes: Vec<RetourCode>,
}

fn read_header_core<A: SimpleType, O: SimpleType>(
    r: &mut In<'_>,
    cx: &Cx,
    t: MessageType,
) -> Result<Header<A, O>, ParseError> {
    r.fixed("BerichtCode", t.berichtcode())?;
    r.fixed("BerichtVersie", "3")?;
    r.fixed("BerichtSubversie", "2")?;
    Ok(Header {
        afzender: r.req(cx, NsKind::Msg, "Afzender")?,
        ontvanger: r.req(cx, NsKind::Msg, "Ontvanger")?,
        bericht_identificatie: r.req(cx, NsKind::Msg, "BerichtIdentificatie")?,
        xsd_versie: r.req(cx, NsKind::Msg, "XsdVersie")?,
    })
}

fn write_header_core<A: SimpleType, O: SimpleType>(
    w: &mut Out,
    cx: &Cx,
    t: MessageType,
    h: &Header<A, O>,
) {
    w.fixed(cx, "BerichtCode", t.berichtcode());
    w.fixed(cx, "BerichtVersie", "3");
    w.fixed(cx, "BerichtSubversie", "2");
    w.req(cx, NsKind::Msg, "Afzender", &h.afzender);
    w.req(cx, NsKind::Msg, "Ontvanger", &h.ontvanger);
    w.req(
        cx,
        NsKind::Msg,
        "BerichtIdentificatie",
        &h.bericht_identificatie,
    );
    w.req(cx, NsKind::Msg, "XsdVersie", &h.xsd_versie);
}

fn enter_header(r: &mut In<'_>, cx: &Cx) -> Result<(), ParseError> {
    // Header is a plain sequence; reuse the list machinery's checks by hand.
    r.push_class(Berichtklasse::Header);
    r.req::<HeaderOpen>(cx, NsKind::Msg, "Header").map(|_| ())
}

/// Marker so `req` can enter the Header element without consuming its content.
struct HeaderOpen;
impl XmlValue for HeaderOpen {
    fn read(_r: &mut In<'_>, _cx: &Cx) -> Result<Self, ParseError> {
        Ok(HeaderOpen)
    }
    fn write(&self, _w: &mut Out, _cx: &Cx, _ns: NsKind, _name: &str) {}
}

/// Reads a heen header (after the root start tag).
pub(crate) fn read_heen_header<A: SimpleType, O: SimpleType>(
    r: &mut In<'_>,
    t: MessageType,
) -> Result<Header<A, O>, ParseError> {
    let cx = t.cx();
    enter_header(r, &cx)?;
    let h = read_header_core(r, &cx, t)?;
    r.leave()?;
    r.pop_class();
    Ok(h)
}

fn read_retour_header<A: SimpleType, O: SimpleType>(
    r: &mut In<'_>,
    t: MessageType,
) -> Result<RetourHeader<A, O>, ParseError> {
    let cx = t.cx();
    enter_header(r, &cx)?;
    let heen = read_header_core(r, &cx, t)?;
    let h = RetourHeader {
        heen,
        identificatie_retour: r.req(&cx, NsKind::Msg, "IdentificatieRetour")?,
        dagtekening_retour: r.req(&cx, NsKind::Msg, "DagtekeningRetour")?,
        xslt_versie: r.opt(&cx, NsKind::Msg, "XsltVersie")?,
        xsd_versie_retour: r.req(&cx, NsKind::Msg, "XsdVersieRetour")?,
        retourcodes: r.optretour(&cx, "RetourCodes")?,
    };
    r.leave()?;
    r.pop_class();
    Ok(h)
}

fn read_header_325(r: &mut In<'_>) -> Result<Header325, ParseError> {
    let t = MessageType::Wmo325;
    let cx = t.cx();
    enter_header(r, &cx)?;
    let header = read_header_core(r, &cx, t)?;
    let h = Header325 {
        header,
        declaratie_identificatie: r.req(&cx, NsKind::Msg, "DeclaratieIdentificatie")?,
        xslt_versie: r.opt(&cx, NsKind::Msg, "XsltVersie")?,
        xsd_versie_declaratie: r.req(&cx, NsKind::Msg, "XsdVersieDeclaratie")?,
        retourcodes: r.list(&cx, NsKind::Msg, "RetourCodes", "RetourCode")?,
    };
    r.leave()?;
    r.pop_class();
    Ok(h)
}

fn write_heen_header<A: SimpleType, O: SimpleType>(w: &mut Out, t: MessageType, h: &Header<A, O>) {
    let cx = t.cx();
    w.open(&cx, NsKind::Msg, "Header");
    write_header_core(w, &cx, t, h);
    w.close(&cx, NsKind::Msg, "Header");
}

fn write_retour_header<A: SimpleType, O: SimpleType>(
    w: &mut Out,
    t: MessageType,
    h: &RetourHeader<A, O>,
) {
    let cx = t.cx();
    w.open(&cx, NsKind::Msg, "Header");
    write_header_core(w, &cx, t, &h.heen);
    w.req(
        &cx,
        NsKind::Msg,
        "IdentificatieRetour",
        &h.identificatie_retour,
    );
    w.req(&cx, NsKind::Msg, "DagtekeningRetour", &h.dagtekening_retour);
    w.opt(&cx, NsKind::Msg, "XsltVersie", &h.xslt_versie);
    w.req(&cx, NsKind::Msg, "XsdVersieRetour", &h.xsd_versie_retour);
    w.optretour(&cx, "RetourCodes", &h.retourcodes);
    w.close(&cx, NsKind::Msg, "Header");
}

macro_rules! heen_retour {
    (
        $(#[$hm:meta])* $heen:ident = $ht:ident,
        $(#[$rm:meta])* $retour:ident = $rt:ident,
        $a:ty, $o:ty, $field:ident : $body:ty = $elem:literal $(, $bklasse:ident)?
    ) => {
        $(#[$hm])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $heen {
            /// Header.
            pub header: Header<$a, $o>,
            /// Body.
            pub $field: $body,
        }

        $(#[$rm])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $retour {
            /// Header with retour identification and Header retourcodes.
            pub header: RetourHeader<$a, $o>,
            /// Body, present only when a class below the Header was rejected.
            pub $field: Option<$body>,
        }

        impl $heen {
            fn read_body(r: &mut In<'_>, header: Header<$a, $o>) -> Result<Self, ParseError> {
                let cx = MessageType::$ht.cx();
                let $field = r.req(&cx, NsKind::Msg, $elem)?;
                Ok($heen { header, $field })
            }
            /// Serialises to XML.
            pub fn to_xml(&self) -> String {
                let t = MessageType::$ht;
                let cx = t.cx();
                let mut w = Out::new(&cx, 4096);
                write_heen_header(&mut w, t, &self.header);
                w.req(&cx, NsKind::Msg, $elem, &self.$field);
                w.finish(&cx)
            }
        }

        impl $retour {
            fn read(r: &mut In<'_>) -> Result<Self, ParseError> {
                let t = MessageType::$rt;
                let cx = t.cx();
                let header = read_retour_header(r, t)?;
                let $field = r.opt(&cx, NsKind::Msg, $elem)?;
                Ok($retour { header, $field })
            }
            /// Serialises to XML.
            pub fn to_xml(&self) -> String {
                let t = MessageType::$rt;
                let cx = t.cx();
                let mut w = Out::new(&cx, 4096);
                write_retour_header(&mut w, t, &self.header);
                w.opt(&cx, NsKind::Msg, $elem, &self.$field);
                w.finish(&cx)
            }
        }
    };
}

heen_retour!(
    /// WMO301 toewijzing (gemeente → aanbieder).
    Wmo301 = Wmo301,
    /// WMO302 retour toewijzing.
    Wmo302 = Wmo302,
    Gemeente, AgbCode, client: Client301 = "Client"
);
heen_retour!(
    /// WMO305 start levering (aanbieder → gemeente).
    Wmo305 = Wmo305,
    /// WMO306 retour start levering.
    Wmo306 = Wmo306,
    AgbCode, Gemeente, client: Client305 = "Client"
);
heen_retour!(
    /// WMO307 stop levering (aanbieder → gemeente).
    Wmo307 = Wmo307,
    /// WMO308 retour stop levering.
    Wmo308 = Wmo308,
    AgbCode, Gemeente, client: Client307 = "Client"
);
heen_retour!(
    /// WMO315 verzoek om toewijzing (aanbieder → gemeente).
    Wmo315 = Wmo315,
    /// WMO316 retour verzoek om toewijzing.
    Wmo316 = Wmo316,
    AgbCode, Gemeente, client: Client315 = "Client"
);
heen_retour!(
    /// WMO317 verzoek om wijziging (aanbieder → gemeente).
    Wmo317 = Wmo317,
    /// WMO318 retour verzoek om wijziging.
    Wmo318 = Wmo318,
    AgbCode, Gemeente, client: Client317 = "Client"
);
heen_retour!(
    /// WMO319 antwoordbericht (gemeente → aanbieder).
    Wmo319 = Wmo319,
    /// WMO320 retour antwoordbericht.
    Wmo320 = Wmo320,
    Gemeente, AgbCode, antwoord: Antwoord = "Antwoord"
);

/// Declaratie-level data of a WMO323 without its clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaratieKop {
    /// DeclaratieNummer.
    pub declaratie_nummer: DeclaratieNummer,
    /// DeclaratiePeriode.
    pub declaratie_periode: GeslotenPeriode,
    /// DeclaratieDagtekening.
    pub declaratie_dagtekening: NaiveDate,
    /// TotaalIngediendBedrag.
    pub totaal_ingediend_bedrag: TotaalBedragMetDc,
}

/// WMO323 declaratie (aanbieder → gemeente).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wmo323 {
    /// Header.
    pub header: Header<AgbCode, Gemeente>,
    /// Declaratie-level fields.
    pub declaratie: DeclaratieKop,
    /// Clienten (1..n) with their Prestaties.
    pub clienten: Vec<DeclaratieClient>,
}

/// WMO325 `DeclaratieAntwoord`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaratieAntwoord {
    /// DeclaratieNummer.
    pub declaratie_nummer: IdentificatieDeclaratie,
    /// TotaalIngediendBedrag.
    pub totaal_ingediend_bedrag: TotaalBedragMetDc,
    /// TotaalToegekendBedrag.
    pub totaal_toegekend_bedrag: TotaalBedragMetDc,
    /// Clienten with rejected Prestaties only (TR342); empty = absent.
    pub clienten: Vec<DeclaratieClient>,
    /// RetourCodes of the DeclaratieAntwoord class.
    pub retourcodes: Vec<RetourCode>,
}

/// WMO325 declaratie-antwoord (gemeente → aanbieder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wmo325 {
    /// Header.
    pub header: Header325,
    /// DeclaratieAntwoord (absent when the Header was rejected).
    pub declaratie_antwoord: Option<DeclaratieAntwoord>,
}

impl XmlValue for DeclaratieAntwoord {
    fn read(r: &mut In<'_>, cx: &Cx) -> Result<Self, ParseError> {
        r.push_class(Berichtklasse::DeclaratieAntwoord);
        let v = DeclaratieAntwoord {
            declaratie_nummer: r.req(cx, NsKind::Msg, "DeclaratieNummer")?,
            totaal_ingediend_bedrag: r.req(cx, NsKind::Msg, "TotaalIngediendBedrag")?,
            totaal_toegekend_bedrag: r.req(cx, NsKind::Msg, "TotaalToegekendBedrag")?,
            clienten: r.optlist(cx, NsKind::Msg, "Clienten", "Client")?,
            retourcodes: r.list(cx, NsKind::Msg, "RetourCodes", "RetourCode")?,
        };
        r.leave()?;
        r.pop_class();
        Ok(v)
    }
    fn write(&self, w: &mut Out, cx: &Cx, ns: NsKind, name: &str) {
        w.open(cx, ns, name);
        w.req(cx, NsKind::Msg, "DeclaratieNummer", &self.declaratie_nummer);
        w.req(
            cx,
            NsKind::Msg,
            "TotaalIngediendBedrag",
            &self.totaal_ingediend_bedrag,
        );
        w.req(
            cx,
            NsKind::Msg,
            "TotaalToegekendBedrag",
            &self.totaal_toegekend_bedrag,
        );
        w.optlist(cx, NsKind::Msg, "Clienten", "Client", &self.clienten);
        w.retour(cx, NsKind::Msg, "RetourCodes", &self.retourcodes);
        w.close(cx, ns, name);
    }
}

impl Wmo323 {
    /// Serialises to XML.
    pub fn to_xml(&self) -> String {
        let t = MessageType::Wmo323;
        let cx = t.cx();
        let mut w = Out::new(
            &cx,
            2048 + 900
                * self
                    .clienten
                    .iter()
                    .map(|c| c.prestaties.len())
                    .sum::<usize>(),
        );
        write_heen_header(&mut w, t, &self.header);
        w.open(&cx, NsKind::Msg, "Declaratie");
        let d = &self.declaratie;
        w.req(&cx, NsKind::Msg, "DeclaratieNummer", &d.declaratie_nummer);
        w.req(&cx, NsKind::Msg, "DeclaratiePeriode", &d.declaratie_periode);
        w.req(
            &cx,
            NsKind::Msg,
            "DeclaratieDagtekening",
            &d.declaratie_dagtekening,
        );
        w.req(
            &cx,
            NsKind::Msg,
            "TotaalIngediendBedrag",
            &d.totaal_ingediend_bedrag,
        );
        w.list(&cx, NsKind::Msg, "Clienten", "Client", &self.clienten);
        w.close(&cx, NsKind::Msg, "Declaratie");
        w.finish(&cx)
    }
}

impl Wmo325 {
    /// Serialises to XML.
    pub fn to_xml(&self) -> String {
        let t = MessageType::Wmo325;
        let cx = t.cx();
        let mut w = Out::new(&cx, 4096);
        w.open(&cx, NsKind::Msg, "Header");
        let h = &self.header;
        write_header_core(&mut w, &cx, t, &h.header);
        w.req(
            &cx,
            NsKind::Msg,
            "DeclaratieIdentificatie",
            &h.declaratie_identificatie,
        );
        w.opt(&cx, NsKind::Msg, "XsltVersie", &h.xslt_versie);
        w.req(
            &cx,
            NsKind::Msg,
            "XsdVersieDeclaratie",
            &h.xsd_versie_declaratie,
        );
        w.retour(&cx, NsKind::Msg, "RetourCodes", &h.retourcodes);
        w.close(&cx, NsKind::Msg, "Header");
        w.opt(
            &cx,
            NsKind::Msg,
            "DeclaratieAntwoord",
            &self.declaratie_antwoord,
        );
        w.finish(&cx)
    }
}

/// Streaming reader of a WMO323: header and declaratie fields first, then
/// one [`DeclaratieClient`] at a time.
pub struct DeclaratieReader<'a> {
    r: Option<In<'a>>,
    /// Header of the message.
    pub header: Header<AgbCode, Gemeente>,
    /// Declaratie-level fields.
    pub declaratie: DeclaratieKop,
    first: bool,
}

impl<'a> DeclaratieReader<'a> {
    fn start(mut r: In<'a>, header: Header<AgbCode, Gemeente>) -> Result<Self, ParseError> {
        let cx = MessageType::Wmo323.cx();
        r.push_class(Berichtklasse::Declaratie);
        r.req::<HeaderOpen>(&cx, NsKind::Msg, "Declaratie")?;
        let declaratie = DeclaratieKop {
            declaratie_nummer: r.req(&cx, NsKind::Msg, "DeclaratieNummer")?,
            declaratie_periode: r.req(&cx, NsKind::Msg, "DeclaratiePeriode")?,
            declaratie_dagtekening: r.req(&cx, NsKind::Msg, "DeclaratieDagtekening")?,
            totaal_ingediend_bedrag: r.req(&cx, NsKind::Msg, "TotaalIngediendBedrag")?,
        };
        r.req::<HeaderOpen>(&cx, NsKind::Msg, "Clienten")?;
        Ok(DeclaratieReader {
            r: Some(r),
            header,
            declaratie,
            first: true,
        })
    }

    /// Next client record; `None` after the last one (the document end is checked then).
    pub fn next_client(&mut self) -> Option<Result<DeclaratieClient, ParseError>> {
        let cx = MessageType::Wmo323.cx();
        let r = self.r.as_mut()?;
        let res = (|| {
            if self.first || r.at(NsKind::Msg, "Client")? {
                self.first = false;
                return r
                    .req::<DeclaratieClient>(&cx, NsKind::Msg, "Client")
                    .map(Some);
            }
            Ok(None)
        })();
        match res {
            Ok(Some(c)) => Some(Ok(c)),
            Ok(None) => {
                let mut r = self.r.take().expect("checked");
                let end = r.leave().and_then(|_| r.leave()).and_then(|_| r.finish());
                end.err().map(Err)
            }
            Err(e) => {
                self.r = None;
                Some(Err(e))
            }
        }
    }
}

impl Iterator for DeclaratieReader<'_> {
    type Item = Result<DeclaratieClient, ParseError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_client()
    }
}

/// Any iWmo 3.2 message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Bericht {
    /// WMO301.
    Wmo301(Wmo301),
    /// WMO302.
    Wmo302(Wmo302),
    /// WMO305.
    Wmo305(Wmo305),
    /// WMO306.
    Wmo306(Wmo306),
    /// WMO307.
    Wmo307(Wmo307),
    /// WMO308.
    Wmo308(Wmo308),
    /// WMO315.
    Wmo315(Wmo315),
    /// WMO316.
    Wmo316(Wmo316),
    /// WMO317.
    Wmo317(Wmo317),
    /// WMO318.
    Wmo318(Wmo318),
    /// WMO319.
    Wmo319(Wmo319),
    /// WMO320.
    Wmo320(Wmo320),
    /// WMO323.
    Wmo323(Wmo323),
    /// WMO325.
    Wmo325(Wmo325),
}

impl Bericht {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match self {
            Bericht::Wmo301(_) => MessageType::Wmo301,
            Bericht::Wmo302(_) => MessageType::Wmo302,
            Bericht::Wmo305(_) => MessageType::Wmo305,
            Bericht::Wmo306(_) => MessageType::Wmo306,
            Bericht::Wmo307(_) => MessageType::Wmo307,
            Bericht::Wmo308(_) => MessageType::Wmo308,
            Bericht::Wmo315(_) => MessageType::Wmo315,
            Bericht::Wmo316(_) => MessageType::Wmo316,
            Bericht::Wmo317(_) => MessageType::Wmo317,
            Bericht::Wmo318(_) => MessageType::Wmo318,
            Bericht::Wmo319(_) => MessageType::Wmo319,
            Bericht::Wmo320(_) => MessageType::Wmo320,
            Bericht::Wmo323(_) => MessageType::Wmo323,
            Bericht::Wmo325(_) => MessageType::Wmo325,
        }
    }

    /// Serialises to XML (UTF-8, indented with tabs).
    pub fn to_xml(&self) -> String {
        match self {
            Bericht::Wmo301(m) => m.to_xml(),
            Bericht::Wmo302(m) => m.to_xml(),
            Bericht::Wmo305(m) => m.to_xml(),
            Bericht::Wmo306(m) => m.to_xml(),
            Bericht::Wmo307(m) => m.to_xml(),
            Bericht::Wmo308(m) => m.to_xml(),
            Bericht::Wmo315(m) => m.to_xml(),
            Bericht::Wmo316(m) => m.to_xml(),
            Bericht::Wmo317(m) => m.to_xml(),
            Bericht::Wmo318(m) => m.to_xml(),
            Bericht::Wmo319(m) => m.to_xml(),
            Bericht::Wmo320(m) => m.to_xml(),
            Bericht::Wmo323(m) => m.to_xml(),
            Bericht::Wmo325(m) => m.to_xml(),
        }
    }
}

/// The heen header of any message, with sender and receiver as text
/// (what cross-message rules and retour building need).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyHeader {
    /// Sent by a gemeente.
    VanGemeente(Header<Gemeente, AgbCode>),
    /// Sent by an aanbieder.
    VanAanbieder(Header<AgbCode, Gemeente>),
}

impl AnyHeader {
    /// BerichtIdentificatie.
    pub fn bericht_identificatie(&self) -> &BerichtIdentificatie {
        match self {
            AnyHeader::VanGemeente(h) => &h.bericht_identificatie,
            AnyHeader::VanAanbieder(h) => &h.bericht_identificatie,
        }
    }
    /// Gemeente party (sender or receiver).
    pub fn gemeente(&self) -> &Gemeente {
        match self {
            AnyHeader::VanGemeente(h) => &h.afzender,
            AnyHeader::VanAanbieder(h) => &h.ontvanger,
        }
    }
    /// Aanbieder party (sender or receiver).
    pub fn aanbieder(&self) -> &AgbCode {
        match self {
            AnyHeader::VanGemeente(h) => &h.ontvanger,
            AnyHeader::VanAanbieder(h) => &h.afzender,
        }
    }
    /// Afzender as text.
    pub fn afzender(&self) -> &str {
        match self {
            AnyHeader::VanGemeente(h) => h.afzender.as_str(),
            AnyHeader::VanAanbieder(h) => h.afzender.as_str(),
        }
    }
}

/// A parse of a heen message that may have failed after its header: the
/// header is kept so a retour with the error on the Header can still be built.
#[derive(Debug)]
pub struct ParseFailure {
    /// Message type if the root element was recognised.
    pub message_type: Option<MessageType>,
    /// Header if it was read completely.
    pub header: Option<Box<AnyHeader>>,
    /// The error.
    pub error: ParseError,
}

/// First stage of parsing: the root element and header have been read.
pub enum Started<'a> {
    /// A heen message other than WMO323, with the reader positioned after its Header.
    Heen(MessageType, AnyHeader, In<'a>),
    /// A WMO323, ready to stream clients.
    Declaratie(DeclaratieReader<'a>),
    /// A retour message, fully parsed.
    Retour(Box<Bericht>),
}

/// Reads the root and header; see [`Started`].
pub fn start(input: &[u8]) -> Result<Started<'_>, ParseFailure> {
    let (mut r, i) = In::open_root(input, &NAMESPACES).map_err(|error| ParseFailure {
        message_type: None,
        header: None,
        error,
    })?;
    let t = MessageType::ALL[i];
    let fail = |error| ParseFailure {
        message_type: Some(t),
        header: None,
        error,
    };
    if t.is_retour() {
        let b = read_retour(&mut r, t).map_err(fail)?;
        r.finish().map_err(|error| ParseFailure {
            message_type: Some(t),
            header: None,
            error,
        })?;
        return Ok(Started::Retour(Box::new(b)));
    }
    let header = if t.sent_by_gemeente() {
        AnyHeader::VanGemeente(read_heen_header(&mut r, t).map_err(fail)?)
    } else {
        AnyHeader::VanAanbieder(read_heen_header(&mut r, t).map_err(fail)?)
    };
    if t == MessageType::Wmo323 {
        let AnyHeader::VanAanbieder(h) = header.clone() else {
            unreachable!("323 is sent by an aanbieder")
        };
        return DeclaratieReader::start(r, h)
            .map(Started::Declaratie)
            .map_err(|error| ParseFailure {
                message_type: Some(t),
                header: Some(Box::new(header)),
                error,
            });
    }
    Ok(Started::Heen(t, header, r))
}

fn read_retour(r: &mut In<'_>, t: MessageType) -> Result<Bericht, ParseError> {
    Ok(match t {
        MessageType::Wmo302 => Bericht::Wmo302(Wmo302::read(r)?),
        MessageType::Wmo306 => Bericht::Wmo306(Wmo306::read(r)?),
        MessageType::Wmo308 => Bericht::Wmo308(Wmo308::read(r)?),
        MessageType::Wmo316 => Bericht::Wmo316(Wmo316::read(r)?),
        MessageType::Wmo318 => Bericht::Wmo318(Wmo318::read(r)?),
        MessageType::Wmo320 => Bericht::Wmo320(Wmo320::read(r)?),
        MessageType::Wmo325 => {
            let header = read_header_325(r)?;
            let declaratie_antwoord = r.opt(&t.cx(), NsKind::Msg, "DeclaratieAntwoord")?;
            Bericht::Wmo325(Wmo325 {
                header,
                declaratie_antwoord,
            })
        }
        _ => unreachable!("only retour types"),
    })
}

/// Finishes a heen message (not WMO323) after [`start`].
pub fn finish_heen(
    t: MessageType,
    header: AnyHeader,
    mut r: In<'_>,
) -> Result<Bericht, ParseFailure> {
    let res = (|| {
        let b = match (&header, t) {
            (AnyHeader::VanGemeente(h), MessageType::Wmo301) => {
                Bericht::Wmo301(Wmo301::read_body(&mut r, h.clone())?)
            }
            (AnyHeader::VanGemeente(h), MessageType::Wmo319) => {
                Bericht::Wmo319(Wmo319::read_body(&mut r, h.clone())?)
            }
            (AnyHeader::VanAanbieder(h), MessageType::Wmo305) => {
                Bericht::Wmo305(Wmo305::read_body(&mut r, h.clone())?)
            }
            (AnyHeader::VanAanbieder(h), MessageType::Wmo307) => {
                Bericht::Wmo307(Wmo307::read_body(&mut r, h.clone())?)
            }
            (AnyHeader::VanAanbieder(h), MessageType::Wmo315) => {
                Bericht::Wmo315(Wmo315::read_body(&mut r, h.clone())?)
            }
            (AnyHeader::VanAanbieder(h), MessageType::Wmo317) => {
                Bericht::Wmo317(Wmo317::read_body(&mut r, h.clone())?)
            }
            _ => unreachable!("start() pairs header kind with type"),
        };
        r.finish()?;
        Ok(b)
    })();
    res.map_err(|error| ParseFailure {
        message_type: Some(t),
        header: Some(Box::new(header)),
        error,
    })
}

/// Parses any iWmo 3.2 message completely.
pub fn parse(input: &[u8]) -> Result<Bericht, ParseFailure> {
    match start(input)? {
        Started::Retour(b) => Ok(*b),
        Started::Heen(t, h, r) => finish_heen(t, h, r),
        Started::Declaratie(mut d) => {
            let mut clienten = Vec::new();
            while let Some(c) = d.next_client() {
                match c {
                    Ok(c) => clienten.push(c),
                    Err(error) => {
                        return Err(ParseFailure {
                            message_type: Some(MessageType::Wmo323),
                            header: Some(Box::new(AnyHeader::VanAanbieder(d.header.clone()))),
                            error,
                        })
                    }
                }
            }
            Ok(Bericht::Wmo323(Wmo323 {
                header: d.header,
                declaratie: d.declaratie,
                clienten,
            }))
        }
    }
}

/// Parses and requires a specific message type.
pub fn parse_as(input: &[u8], expected: MessageType) -> Result<Bericht, ParseFailure> {
    let b = parse(input)?;
    if b.message_type() != expected {
        return Err(ParseFailure {
            message_type: Some(b.message_type()),
            header: None,
            error: ParseError::new(ParseErrorDetail {
                kind: ParseErrorKind::WrongMessage {
                    expected: expected.name(),
                    found: b.message_type().name(),
                },
                klasse: Berichtklasse::Header,
                pad: "Bericht".into(),
                positie: 0,
            }),
        });
    }
    Ok(b)
}
