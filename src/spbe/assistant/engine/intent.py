"""Tell a case from a question before any retrieval.

A tourist who reports a problem ("I was charged twice"), asks for a review, a correction, a refund
or a person, or is in a situation the published answers do not settle (a VITAS without the KITAS
card yet), needs an officer — and retrieval would happily answer the nearest question instead
(a rejected exemption got "how to apply"). So these cues are checked first, in all eight languages
at once: a message often mixes languages, and the detected language of a short message is a guess.

Each topic is a list of patterns over the case-folded, NFKC-normalised message. A pattern written
as ``(a, b)`` needs both parts somewhere in the message (in any order), which keeps "lost" +
"do not remember the code" apart from a plain "I lost my voucher" the site answers. Topics are
checked in order, so a more specific topic (a rejected exemption) wins over a general one.

The cues were written from the levy desk's case types, and they are tested on messages written
apart from them (``tests/assistant/data/case_messages.jsonl``) and on every answerable question of
the knowledge base and the gold set, which must not match.
"""

from __future__ import annotations

import re
import unicodedata

Pattern = str | tuple[str, ...]

# Shared fragments.
_EXEMPTION = r"(exemption|exempt|pembebasan|pengecualian|bebas pungutan|豁免|免缴|免除|免征|면제|免除|освобожд|exon[ée]ration|exemption|befreiung)"
_REJECTED = (r"(reject|refus|denied|declined|turned down|not approved|ditolak|tidak disetujui|被拒|拒绝|驳回|没通过|未通过|没批|거절|거부|반려|"
             r"승인.{0,3}안|却下|拒否|不承認|認められ(な|ませ)|承認されませ|отказ|отклон|refus[ée]e?|rejet[ée]e?|abgelehnt|nicht genehmigt)")
_FORGOT = (r"(don'?t remember|do not remember|can'?t remember|cannot remember|forgot|forget|no idea|remember neither|neither remember|(don'?t|do not|can'?t|cannot) recall|not sure which|lupa|tidak ingat|gak ingat|nggak ingat|"
           r"不记得|忘了|忘记|想不起|기억(이|도)? ?(안|나지)|잊어버|까먹|忘れ|覚えてい?ない|覚えていません|не помню|забыл|"
           r"oubli[ée]|(ne|n').{0,20}souviens|ne sais plus|vergessen|wei(ss|ß) (weder|nicht mehr|nicht)|erinnere mich nicht)")
_CONTACT_DETAIL = (r"(order|code|e-?mail|address|kode|pesanan|alamat|订单|邮箱|号码|代码|주문|이메일|메일|注文|メール|コード|заказ|почт|"
                   r"e-?mail|адрес|код|commande|courriel|bestell|adresse)")

CASE_PATTERNS: dict[str, list[Pattern]] = {
    # A VITAS holder without the KITAS card yet: the KITAS rule does not settle it.
    "vitas_no_card": [r"(?<![a-z])vitas(?![a-z])", r"витас"],
    "exemption_appeal": [
        (_EXEMPTION, _REJECTED),
        (r"(application|request|permohonan|pengajuan|申请|신청|申請|заявк|demande|antrag)", _REJECTED),
        r"\b(appeal|banding|recours|faire appel|widerspruch|einspruch)\b", r"(申诉|复审|重新审核|이의 ?신청|재심사|異議|再審査|不服|обжалова|апелляц)",
        (_EXEMPTION, r"(review|re-?consider|tinjau ulang|ditinjau|重新审|다시 검토|재검토|再審|再検討|пересмотр|r[ée]examin|noch ?einmal pr[üu]f|erneut pr[üu]f|[üu]berpr[üu]f)"),
    ],
    "exemption_status": [
        (_EXEMPTION, r"(status|progress|update|news|heard nothing|no (reply|answer|response|news|word)|still (no|nothing|waiting|pending)|"
                     r"not (heard|received|gotten)|haven'?t (heard|received|got)|kabar|belum (ada|dapat|mendapat|diproses|dijawab)|jawaban|"
                     r"进度|状态|还没|没有(回复|消息|答复|结果)|到现在|소식|답(이|변)? ?없|아직|状況|返事|連絡(が)?(ありません|ない)|まだ|"
                     r"нет ответа|до сих пор|статус|результат|aucune r[ée]ponse|toujours (rien|pas|aucune)|pas de (r[ée]ponse|nouvelles)|statut|"
                     r"keine antwort|noch (keine|nichts|nicht)|stand|bearbeitungs|nichts geh[öo]rt|进展|상태|o[ùu] en est|et rien|rien re[çc]u)"),
    ],
    "lost_no_details": [(_FORGOT, _CONTACT_DETAIL)],
    "double_payment": [
        r"(paid|charged|debited|billed|deducted|taken|payment went through) (it |me |us )?(twice|two times|2 times|double)",
        r"(twice|two times|2x|double) (charged|paid|billed|debited|payment|charge)", r"charged me twice",
        r"(paid|charged|debited|billed)( \S+){0,3} (twice|two times|2 times)",
        r"(sudah|tidak sengaja|terlanjur|telah)( \S+){0,1} (membayar|bayar|dibayar)( \S+){0,2} (dua kali|2 kali|2x)",
        r"(두 ?번|2번) (냈|결제했|결제됐|빠져나갔)", r"(2回|二回)(払いました|支払いました|払ってしまいました)",
        r"pay[ée]e?s?( \S+){0,3} (deux fois|2 fois)",
        r"(sudah bayar|terbayar|tertagih|terdebet|terpotong|kepotong|kena potong|ditagih|debet)\w* (sebanyak )?(dua kali|2 kali|2x|double)",
        r"(dua kali|double) (bayar|pembayaran|tagihan|potong)",
        r"(两次|二次|2次|重复)(扣|付|收|支付|付款|扣款|收费)", r"(交|扣|付|收|刷|支付)了(两|2)次", r"收了两次",
        r"(두 ?번|2번|이중|중복) ?(결제|청구|출금|빠져)", r"(결제|청구)(가|이)? ?(두 ?번|2번)",
        r"(二重|2回|二回)(に)?(請求|決済され|引き落と|課金|支払われ|払ってしま|払いになって)", r"二重(払い|決済|請求|引き落とし)",
        r"(дважды|два раза|двойн\w*) (списа|оплат|заплат|сня)", r"(списали|оплатил|заплатил\w*|сняли) (\w+ )?(дважды|два раза)",
        r"(pay[ée]e?s?|d[ée]bit[ée]e?s?|factur[ée]e?s?|pr[ée]lev[ée]e?s?) (deux fois|2 fois)", r"double (paiement|d[ée]bit|pr[ée]l[èe]vement)",
        r"(doppelt|zweimal|2x|2 mal)( \S+){0,4} (bezahlt|abgebucht|belastet|berechnet|gezahlt)",
        r"(abgebucht|belastet|berechnet|bezahlt) (\w+ )?(doppelt|zweimal)",
    ],
    "refund": [
        r"(refund|money back|reimburs|pengembalian (dana|uang)|dikembalikan|uang (saya )?kembali|uangnya kembali|退款|退钱|退还|退费|能退|환불|돌려받|返金|払い戻|払戻|"
        r"возврат|вернуть деньги|верните|rembours|r[ée]cup[ée]rer (l'argent|mon argent)|erstatt|geld zur[üu]ck|zur[üu]ckbekommen|(bekomm|krieg|erhalt)\w* .{0,50}zur[üu]ck)",
    ],
    "payment_problem": [
        # Money left the account (not merely "I paid": a missing e-mail alone is the lost-voucher answer).
        (r"(transferred|charged|debited|deducted|money (left|was taken|is gone|went)|left my account|taken from my (card|account)|says? (failed|unpaid))",
         r"(no voucher|not (get|got|received|receive)|never (got|received|came|arrived)|didn'?t (get|receive|come|arrive)|"
         r"haven'?t (got|received)|hasn'?t (come|arrived)|says? (failed|unpaid|pending)|still (pending|unpaid)|failed|stuck)"),
        r"(payment|transaction|card|qris) (failed|was declined|declined|was rejected|error|keeps failing|not going through|didn'?t go through)",
        (r"(sudah (bayar|transfer|dibayar)|terdebet|terpotong|kepotong|saldo)", r"(belum (masuk|datang|dapat|terima|menerima|ada|muncul)|tidak (datang|masuk|ada|dapat|menerima)|gak (dapat|masuk|ada)|gagal)"),
        r"(pembayaran|transaksi|kartu)\w* (saya )?(gagal|ditolak|error)",
        (r"(扣了|扣款|钱也扣|钱被扣|已扣)", r"(没|未|失败|还没|没有)"),
        r"(付款|支付|交易)(一直)?(失败|不成功|出错)", r"卡被拒",
        (r"(결제(는|했|가 ?됐|됐)|돈(은|이)? ?(이미 )?빠져|출금)", r"(안 ?(와|왔|옴|오|나와)|없어|실패|못 ?받)"), r"결제(가|에)? ?실패", r"결제\S* .{0,10}실패", r"(支払い|決済)(が|は)?.{0,8}(失敗|エラー)", r"카드(가)? ?(거절|안 ?돼)",
        (r"(引き落と|決済済|完了した|支払ったのに|払ったのに)", r"(届きません|届かない|来ない|来ません|失敗|エラー|のに|けど)"),
        (r"(оплатил|заплатил|списал|деньги (сняли|ушли)|оплата прошла)", r"(не приш|не получил|нет ваучер|ошибк|не прош|так и не)"),
        r"(оплата|платеж|платёж) (не прош|не проход|отклон)", r"карт\w* отклон",
        (r"списал", r"(нет|не приш|не получил)"),
        (r"(j'ai pay[ée]|pay[ée]|d[ée]bit[ée]|l'argent a)", r"(jamais re[çc]u|pas re[çc]u|rien re[çc]u|aucun|[ée]chou|erreur)"),
        r"(paiement|transaction|carte) (a )?([ée]chou|refus[ée]e|rejet[ée]e|bloqu)",
        (r"(bezahlt|abgebucht|gezahlt|geld ist weg)", r"(nie angekommen|nicht angekommen|kam nie|kein(en)? beleg|nicht erhalten|keine e-?mail|fehlgeschlagen|fehler)"),
        r"(zahlung|transaktion|karte) (ist |wurde )?(fehlgeschlagen|abgelehnt|nicht durchgegangen)",
        r"(zahlung|transaktion).{0,30}fehlgeschlagen", (r"abgebucht", r"(kein(en)? (gutschein|beleg)|nicht erhalten)"),
    ],
    "correct_data": [
        (r"(wrong|mistake (in|on|with)|made a mistake|typo|misspel|incorrect|swapped|mistyped|error in)", r"(name|passport|date|email|e-mail|number|birth|nationality)"),
        r"(change|correct|fix|edit|update|amend) (the |my |a |his |her |our )?(name|passport|arrival date|date|email|e-mail|nationality)",
        (r"(salah|keliru|typo|tertukar)", r"(nama|paspor|tanggal|email|nomor|kewarganegaraan)"),
        r"(ubah|ganti|koreksi|perbaiki|ralat|mengubah|mengganti|memperbaiki)\w* (nama|nomor paspor|paspor|tanggal|email|data)",
        r"(写错|填错|输错|打错|拼错|弄错|错了|有误)", (r"(修改|更正|更改)", r"(名字|姓名|护照|日期|邮箱)"), r"(修改|更正|更改|改)(一下)?(名字|姓名|护照|日期|邮箱|信息)",
        r"(잘못 (입력|적|썼|기재)|오타|틀렸|틀려)", (r"(이름|여권|날짜|이메일|국적)", r"(수정|변경|바꾸|바꿀|고치|고쳐)"),
        r"(間違え|間違って|間違い|誤って(入力|記入|登録|書)|打ち間違|入力ミス|誤り)", (r"(名前|氏名|パスポート|日付|メール|国籍)", r"(修正|変更|訂正|直し|直す)"),
        r"(ошиб\w* в (имени|фамилии|номере|дате|паспорте|почте|адресе|email)|опечат|неправильно (указал|ввел|ввёл|написал))", r"(исправить|изменить|поменять) (\w+ )?(имя|фамилию|номер|дату|почту|email|паспорт)",
        r"(erreur (dans|sur) (le |la |mon |ma |l'|les )?(nom|pr[ée]nom|num[ée]ro|passeport|date|adresse|nationalit)|erreur de saisie|erreur d'orthographe|faute de frappe|me suis tromp|mal (orthographi|[ée]crit|saisi|tap)|inexact)",
        r"mauvais(e)? (num[ée]ro|nom|passeport|date|e-?mail|adresse)", r"falsche\w* (pass|name|namen|datum|e-?mail|geburts)",
        r"(corriger|modifier|changer|rectifier) (mon |ma |le |la |l'|les )?(nom|num[ée]ro|passeport|date|e-?mail|adresse|nationalit)",
        r"(tippfehler|vertippt|falsch (eingegeben|geschrieben|angegeben|eingetragen)|fehler (im|in der|beim) (namen|name|pass|datum|geburts|e-?mail-adresse|adresse))",
        (r"(name|namen|passnummer|pass|datum|e-?mail|staatsangeh)", r"(korrigier|[äa]ndern|ge[äa]ndert|[äa]nderung|berichtig)"),
    ],
    "complaint": [
        r"(complain|complaint|rude|bribe|extortion|extra (cash|money)|demanded (cash|money)|asked (me |us )?for (cash|money)|report (this|an officer|him|her)|"
        r"keluhan|komplain|mengeluh|pungli|kasar|uang (tunai )?tambahan|minta uang|suap|"
        r"mengadu|pengaduan|aduan|"
        r"投诉|举报|态度(很|非常)?差|索要|索贿|要钱|不礼貌|"
        r"불만|민원|신고(하|할|합|했|드)|(?<!공)항의|불친절|무례|현금을 (더 )?(달라|요구)|"
        r"苦情|クレーム|通報|態度が悪|失礼|賄賂|現金を要求|"
        r"жалоб|пожаловаться|груб|взятк|вымогал|требовал\w* (с нас |с меня )?(наличн|деньг)|"
        r"plainte|r[ée]clamation|impoli|pot-de-vin|r[ée]clam[ée] de l'argent|argent liquide en plus|"
        r"(le|la|les|cela|ça|ceci) signaler|"
        r"beschwer|unh[öo]flich|bestech|schmiergeld|zus[äa]tzliches bargeld|bargeld verlangt|abzocke|(das|ihn|es|dies) melden|bargeld von mir)",
    ],
    "human": [
        r"(talk|speak|chat) (to|with) (a |an |some )?(real |actual |live )?(human|person|agent|officer|someone|staff|operator|people)",
        r"(real|live) (person|human|agent)|customer (service|support)|\boperator\b|not (a |the )?(bot|robot)|human please",
        r"connect me (to|with) (a |an )?(agent|person|human|officer|someone|staff)", r"en relation avec", r"verbinden sie mich",
        r"(^|[^外国])人と(話|はな)",
        r"(bicara|ngobrol|berbicara|hubungi|menghubungi|sambungkan) (dengan |ke )?(petugas|manusia|orang|admin|cs|operator|staf)",
        r"(petugas|manusia|orang) (saja|sungguhan|asli),? (bukan|jangan) bot|bukan bot|\bcs\b",
        r"(人工|真人|客服|工作人员聊|转人工)", r"(상담원|상담사|직원(과|이랑|하고)|사람(이랑|과|하고))", r"(人間|担当者|オペレーター|スタッフ|有人)(と|に|の)",
        r"(оператор|живым? человек|с человеком|сотрудник\w* (поддержк|связ)|соедините)",
        r"(parler|discuter) (à|avec) (un |une |quelqu)(\w+ )?(humain|personne|agent|conseill|op[ée]rat|vrai)|service client|pas (à|a) un robot",
        r"(mit )?(einem |einer )?(menschen|mitarbeiter|mitarbeiterin|berater|beraterin|agenten|echten person) (sprechen|reden|verbinden)",
        r"kundenservice|kundendienst|echte person|kein bot",
    ],
    # Attempts to make the assistant leave its role (prompt injection, credentials): a person looks.
    "off_role": [
        r"(ignore|disregard|forget) (all |any |your |the |previous |prior |above )+(instructions|rules|prompt)", r"system prompt|jailbreak|developer mode",
        r"(admin|administrator|root|database|server) (password|credentials|login)", r"(abaikan|lupakan) (semua |seluruh )?(instruksi|perintah|aturan)",
        r"kata sandi (admin|administrator)", r"(忽略|无视|忘记)(你的|之前的|所有|以上)?(指令|指示|规则|提示)", r"(管理员|后台)(的)?密码",
        r"(지시|명령|규칙|프롬프트)(를|을)? ?무시", r"관리자 ?(비밀번호|암호)", r"(指示|命令|ルール|プロンプト)を無視", r"管理者(の)?パスワード",
        r"(игнорируй|забудь|проигнорируй) (все |свои |предыдущие )*(инструкц|правил|указани)", r"пароль (администратора|админа)",
        r"ignore[sz]? (toutes |tes |vos |les |)(instructions|consignes|r[èe]gles)", r"mot de passe (admin|administrateur)",
        r"ignorier\w* (alle |deine |ihre |die |vorherigen )*(anweisungen|regeln|instruktionen)", r"(admin|administrator)-?passwort",
    ],
    # What immigration charges (the e-VOA is Rp500,000) is not the levy: the immigration office answers.
    "visa": [
        (r"(visa|visum|visa on arrival|voa|签证|落地签|비자|ビザ|виз)", r"(500[.,]?000|500 ?k|500 ribu|500 000|50万|50만|500 000|500 тыс)"),
        r"(extend|extension|perpanjang|延签|延长签证|비자 연장|ビザ(の)?延長|продлить визу|продление визы|prolonger (mon |le )?visa|visum verl[äa]nger)",
        (r"(e-?voa|visa on arrival|落地签|도착 ?비자|アライバル ?ビザ|виз\w* по прибытии|visa à l'arrivée|visum bei (der )?ankunft)",
         r"(fee|cost|price|how much|berapa|biaya|harga|多少钱|费用|얼마|비용|いくら|料金|費用|сколько|стоимость|combien|prix|co[uû]t|was kostet|wie viel|kosten|preis)"),
    ],
}


def _compile(pattern: Pattern) -> tuple[re.Pattern, ...]:
    parts = (pattern,) if isinstance(pattern, str) else pattern
    return tuple(re.compile(part) for part in parts)


# Cues that make a matching message a question after all: "is the levy included in the e-VOA
# (500k)?" is what the site's not-the-visa answer settles.
CASE_EXCEPTIONS: dict[str, str] = {
    "visa": r"(includ|separate|same as|part of|termasuk|terpisah|sama dengan|包含|包括|一样吗|포함|같은 ?건|含まれ|同じ|входит|отдельн|то же самое|compris|inclus|s[ée]par[ée]|enthalten|getrennt|dasselbe|extra)",
}
_EXCEPTIONS = {topic: re.compile(pattern) for topic, pattern in CASE_EXCEPTIONS.items()}
_COMPILED = {topic: [_compile(p) for p in patterns] for topic, patterns in CASE_PATTERNS.items()}


def detect_case(text: str) -> str:
    """The case topic a message reports, or "" when it reads as a question the site answers."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'")
    for topic, patterns in _COMPILED.items():
        if topic in _EXCEPTIONS and _EXCEPTIONS[topic].search(folded):
            continue
        for parts in patterns:
            if all(part.search(folded) for part in parts):
                return topic
    return ""
