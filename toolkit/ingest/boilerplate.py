"""Page furniture that is not the story, in several languages: captions and credits, newsletter and tip
prompts, contribution notes, related-headline labels, stubs, and whole documents that are only a
social-media embed notice or a web-archive note.

    furniture(line, words) -> reason | None     one trimmed line ("caption", "newsletter", ...)
    notice(text) -> str                          "" or why a whole document is not an article

Patterns are explicit phrases anchored at the start of a line (or the whole line), so a story sentence
that merely mentions a photo or a newsletter is never dropped. Languages: en, de, fr, es, it, pt, ru,
pl, nl, zh, ja. Pure functions; regexes compiled once at import.
"""

from __future__ import annotations

import re

__all__ = ["FURNITURE_REASONS", "furniture", "notice"]

FURNITURE_REASONS: tuple[str, ...] = ("caption", "newsletter", "contribution-note", "related-links", "stub")

_I = re.IGNORECASE

# Photo, video and image captions or credits: "Image copyright Getty Images Image caption ...",
# "FILE - In this March 3, 2019, file photo ...", "(Photo: Reuters)", "Foto: dpa", "图片来源：新华社".
_CAPTION = re.compile(
    r"(?:image (?:copyright|caption|source)|media caption|picture (?:copyright|caption)"
    r"|file\s*[-–—]\s*(?:in )?(?:this|a|an)\b.{0,80}?\b(?:photo|image|picture|file)"
    r"|\(?(?:ap |afp |reuters |getty |epa )?(?:photo|photograph|image|picture|video|illustration|graphic)s?"
    r"(?: by| credit| courtesy(?: of)?| source)?\s*[:/|]"
    r"|\(?(?:credit|credits|source|courtesy)\s*:\s*(?:getty|reuters|ap\b|afp|epa|shutterstock|istock|twitter"
    r"|instagram|facebook|youtube|screenshot|handout)"
    r"|(?:getty images|shutterstock|istock(?:photo)?|ap photo|afp photo|reuters/|epa-efe|dpa-bild)"
    r"|(?:foto|bild|fotos|bilder|quelle|bildquelle|crédit photo|crédits? ?:|photo ?:|fotografía|imagen"
    r"|foto ?:|immagine|фото|изображение|zdjęcie|fot\.)\s*[:/|©]"
    r"|(?:图片来源|图片|图|摄影|视频|来源|写真|画像)[：:]"
    r"|(?:click|tap|swipe) (?:on )?(?:the )?(?:image|photo|picture)s? (?:to|for)"
    r"|\d+\s*(?:/|of)\s*\d+\s*(?:photos?|images?|slides?)\b"
    r"|(?:bild|foto|image|photo) (?:anzeigen|vergrößern|agrandir|ampliar|enlarge)\b)",
    _I,
)
_CAPTION_INSIDE = re.compile(r"\((?:photo|foto|image|picture|credit)s?\s*:\s*[^()]{1,80}\)\s*$", _I)
# A caption that ends in its credit: "... a debate in Taipei. Photo: AP", "... Unterstützern. Bild: dpa".
_CREDIT_TAIL = re.compile(
    r"[.!?]['\"”’)]?\s+(?:photo|picture|image|foto|bild|photograph)s?\s*:\s*[^.!?]{1,60}$", _I
)

# Newsletter, subscription, app, social and tip prompts.
_NEWSLETTER = re.compile(
    r"\b(?:sign up|subscribe|register|join)\b.{0,60}\b(?:newsletter|inbox|updates|alerts|briefing|email)"
    r"|(?:get|receive) (?:the|our) .{0,40}(?:newsletter|app|alerts|delivered)"
    r"|(?:click|tap) here (?:to|for)\b|(?:download|get) our .{0,30}apps?\b"
    r"|.{0,80}(?-i:\b[Dd]ownload (?:our|the [A-Z][\w-]*) (?:[\w-]+ )?apps?\b)"
    r"|.{0,80}(?:already a subscriber|log in for (?:immediate )?access|(?:to|and) (?:view|read"
    r"|continue reading|get)"
    r" the (?:full|whole|rest of the) (?:story|article)|for the full (?:story|article)|subscribe now)"
    r"|.{0,60}\bsign up here\b|(?:submit|send|write) (?:a|your) letter to the editor"
    r"|we want to hear what you think"
    r"|.{0,60}canal de (?:telegram|whatsapp|youtube)|únete (?:a|desde)|mit unserem newsletter"
    r"|follow (?:us|[\w@]+(?: [\w@]+){0,2}) on (?:twitter|facebook|instagram|x|tiktok|linkedin"
    r"|telegram|whatsapp|youtube)"
    r"|like us on facebook|join us on|find us on"
    r"|(?:have|got) a (?:news )?tip|send (?:us )?(?:your )?(?:news )?tips?\b|tips? (?:line|@)"
    r"|(?:do you have|have you got) (?:a story|information|something to share)"
    r"|tell us what you think|what do you think\? (?:let us know|comment)"
    r"|we(?:'d| would) love to hear from you|contact (?:the|our) newsroom"
    r"|(?:newsletter|jetzt) (?:abonnieren|anmelden|bestellen)|melden sie sich .{0,40}newsletter"
    r"|folgen sie uns|abonnieren sie|hier (?:klicken|geht'?s)|mehr (?:news|nachrichten) (?:aus|zu|von)"
    r"|abonnez-vous|inscrivez-vous|suivez-nous|recevez (?:notre|la) newsletter|téléchargez (?:l'|notre )"
    r"|suscr[ií]b[ea]te|s[ií]guenos (?:en|a)|hazte (?:miembro|socio|suscriptor)|descarga (?:la|nuestra) app"
    r"|iscriviti|seguici su|scarica (?:l'|la nostra )app|abbonati"
    r"|assine (?:a|o|nossa)|inscreva-se|siga-nos|baixe o app"
    r"|подпис(?:ывайтесь|аться|ка) на|читайте нас в|следите за нами|присоединяйтесь"
    r"|zapisz się|subskrybuj|obserwuj nas|abonneer|volg ons"
    r"|关注我们|扫码关注|订阅|下载.{0,10}客户端|微信公众号",
    _I,
)

# "Jane Doe contributed to this report.", "Reporting by ...; Editing by ...", "Mit Material von dpa".
_CONTRIBUTION = re.compile(
    r"(?:(?:additional |\w[\w.' -]{0,80}? )?(?:contributed|reported) (?:to|for) this (?:report|story|article)"
    r"|(?:additional )?(?:reporting|writing|editing) by\b"
    r"|this (?:story|article|report) (?:was|has been) (?:updated|corrected)\b"
    r"|(?:mit material von|mitarbeit:|avec (?:afp|reuters|ap)\b|con informaci[oó]n de|con (?:agencias|efe)\b"
    r"|com (?:agências|lusa)\b|con (?:ansa|agenzie)\b|по материалам|при участии"
    r"|责任编辑|编辑[：:]|记者[：:]|校对[：:]))",
    _I,
)

# Labels that introduce a link to another story: "READ MORE: ...", "MIRA: ...", "Lesen Sie auch: ...".
_RELATED = re.compile(
    r"(?:read more|read also|also read|related|more|see also|watch|listen|up next|trending|popular on \w+"
    r"|most (?:read|popular|viewed)|recommended|don't miss|must read|top stories|more from|more on this"
    r"|lesen sie (?:auch|mehr)|auch interessant|mehr zum thema|weitere artikel"
    r"|das könnte sie (?:auch )?interessieren"
    r"|lire (?:aussi|également|la suite)|à lire (?:aussi|également)|voir aussi|sur le même sujet"
    r"|lee (?:también|más)|lea(?: también| además| más)?|(?:le |te )?puede interesar(?:te)?|mira|mire"
    r"|vea(?: también)?|noticias relacionadas|ver también"
    r"|leggi (?:anche|tutto)|potrebbe interessarti|articoli correlati|guarda anche"
    r"|leia (?:também|mais)|veja (?:também|mais)|saiba mais|mais lidas"
    r"|читайте (?:также|тоже)|смотрите также|по теме|самое читаемое"
    r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|lees ook|meer over"
    r"|相关(?:阅读|新闻|报道|文章)|延伸阅读|推荐阅读|热门(?:文章|新闻)|関連記事)"
    r"\s*[:|»>：]",
    _I,
)
_LINKS_ONLY = re.compile(
    r"(?!(?:original\s+)?source\b)[^:]{1,40}:\s*(?:https?://|www\.)\S+(?:\s+(?:and|&"
    r"|,)?\s*(?:https?://|www\.)\S+)*",
    _I,
)
_RELATED_ALONE = re.compile(
    r"(?:popular on \w+(?: \w+)?|up next|more (?:from|on) .{1,40}|top stories|editor's picks|latest news"
    r"|mehr zum thema|weitere artikel|auch interessant|das könnte sie (?:auch )?interessieren"
    r"|à lire aussi|lire aussi|sur le même sujet|noticias relacionadas|te puede interesar|articoli correlati"
    r"|leia também|veja também|читайте также|по теме|czytaj także|相关阅读|延伸阅读|推荐阅读|関連記事)\W*",
    _I,
)

# Stubs: punctuation only, a bare time, "Watch the video below:", "Updated 3 hours ago", "Send".
_STUB = re.compile(
    r"[\W_]*"
    r"|(?:updated|posted|published|last updated|aktualisiert|mis à jour|actualizado|aggiornato|обновлено)?"
    r"\s*:?\s*\d{1,2}[:h]\d\d(?:\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h))?(?:\s*(?:[A-Z]{2,4}|gmt|utc))?\W*"
    r"|(?:updated |posted |published )?(?:\d+|an?|one) (?:second|minute|hour|day|week|month|year)s? ago\W*"
    r"|(?:watch|see|listen to|view|check out|look at|here is|here's|read) (?:the |this |our |his |her )?"
    r"(?:video|clip|tweet|post|footage|photos?|images?|gallery|interview|report|full statement|statement)"
    r"(?: (?:below|above|here|now))?\s*[:.!]?\s*"
    r"|(?:watch|video|photos?|gallery|audio|listen|live|advertisement|send|share|print|email|close|menu"
    r"|loading|play|replay|pause|mute|unmute|next|previous|back to top|top|skip|thank you|thanks)\W*",
    _I,
)

# Whole documents that are only a notice: a social-media embed, a web archive's crawl note, a wall.
_EMBED = re.compile(
    r"this (?:content|tweet|post|video|embed) (?:is not available|cannot be (?:shown|displayed)"
    r"|has been removed)"
    r"|view this post on instagram|a post shared by|tweet with a location"
    r"|add location information to your tweets"
    r"|you can add location information|twitter may be over capacity|something went wrong,? but don.t fret"
    r"|we(?:'ve| have) detected that javascript is disabled|enable javascript to (?:view|see|watch)"
    r"|(?:your|the) (?:privacy|cookie) (?:preferences|settings).{0,60}(?:content|embed)"
    r"|(?:to view|to see|to watch) this (?:content|video|post).{0,60}(?:accept|enable|cookies)"
    r"|this (?:video|content) is (?:unavailable|not available) in your (?:country|region)"
    r"|please (?:enable|allow) (?:javascript|cookies)",
    _I,
)
_ARCHIVE = re.compile(
    r"wayback machine|internet archive|archive\.org|archive\.(?:today|is|ph)|web\.archive"
    r"|(?:this|the) (?:page|url|snapshot) (?:was|has been) (?:captured|archived|crawled|saved)"
    r"|crawl(?:ed)? (?:data|on|by)|captured \d+ times|archived (?:from|on) the original"
    r"|(?:collection|crawl) of (?:web )?(?:pages|sites)|saved from url",
    _I,
)


# Advertising labels and affiliate disclosures ("ANZEIGE - ...", "This post contains affiliate links").
_ADVERT = re.compile(
    r"(?:anzeige|werbung|publicidad|publicité|pubblicità|publicidade|реклама|广告)\s*[-–—:|]"
    r"|.{0,80}\b(?:affiliate[- ]links?|we may (?:receive|earn) (?:a )?(?:compensation|commission)"
    r"|this (?:post|article|page) contains (?:affiliate )?(?:links|references to products))",
    _I,
)


def furniture(t: str, words: int) -> str | None:
    """The furniture reason of one trimmed line (up to 60 words), or None when it may be story."""
    if words > 60:
        return None
    if _STUB.fullmatch(t):
        return "stub"
    if _CAPTION.match(t) or (words <= 40 and _CAPTION_INSIDE.search(t) and words <= 12):
        return "caption"
    if _CREDIT_TAIL.search(t):
        return "caption"
    if _ADVERT.match(t):
        return "advertisement"
    if _CONTRIBUTION.match(t) and words <= 40:
        return "contribution-note"
    if _NEWSLETTER.match(t) or (words <= 12 and _NEWSLETTER.search(t) and not _story_like(t, words)):
        return "newsletter"
    if words <= 30 and (_RELATED.match(t) or _RELATED_ALONE.fullmatch(t) or _LINKS_ONLY.fullmatch(t)):
        return "related-links"
    return None


def _story_like(t: str, words: int) -> bool:
    """A sentence long enough to be reporting ("The council will subscribe to the new service.")."""
    return words >= 12 and t.rstrip("\"'”’)]").endswith((".", "!", "?", "。"))


# Template expressions a JavaScript front end or CMS editing view left unrendered (Angular, Vue,
# Handlebars, Jinja): `{{ page.status === "draft" ? ... }}`, `{% if ... %}`. Bounded: linear on any input.
_TEMPLATE = re.compile(r"\{\{[^{}\n]{1,2000}\}\}|\{%[^{}\n]{1,2000}%\}")


def notice(text: str) -> str:
    """Why `text` (the kept text of a document) is not an article: "" if it may be one."""
    words = len(text.split())
    if words > 400:
        return ""
    template = sum(len(m.group(0)) for m in _TEMPLATE.finditer(text))
    if template and template * 2 >= len(text.strip()):  # half the text or more is template code
        return "page template code, not article text"
    embed = sum(len(m.group(0).split()) for m in _EMBED.finditer(text))
    archive = sum(len(m.group(0).split()) for m in _ARCHIVE.finditer(text))
    if embed and (words <= 80 or embed * 8 >= words):
        return "a social-media embed notice"
    if archive and (words <= 80 or archive * 8 >= words):
        return "a web-archive crawl note"
    return ""
