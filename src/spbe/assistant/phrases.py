"""The assistant's own fixed sentences in its eight languages.

These are data, like the knowledge base: the bot writes them to tourists in their language,
while the staff console stays Indonesian/English through gettext.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! I am the Love Bali assistant. Ask me about the tourist levy, vouchers and exemptions.",
        "id": "Halo! Saya asisten Love Bali. Tanyakan tentang pungutan wisatawan, voucher, dan pembebasan.",
        "zh": "您好！我是 Love Bali 助手。您可以问我关于旅游税、凭证和免缴的问题。",
        "ko": "안녕하세요! Love Bali 도우미입니다. 관광세, 바우처, 면제에 대해 물어보세요.",
        "ja": "こんにちは！Love Bali アシスタントです。観光税、バウチャー、免除についてご質問ください。",
        "ru": "Здравствуйте! Я помощник Love Bali. Спрашивайте о туристическом сборе, ваучерах и освобождениях.",
        "fr": "Bonjour ! Je suis l'assistant Love Bali. Posez-moi vos questions sur la taxe touristique, les bons et les exonérations.",
        "de": "Hallo! Ich bin der Love-Bali-Assistent. Fragen Sie mich zur Touristenabgabe, zu Gutscheinen und Befreiungen.",
    },
    "thanks": {
        "en": "You're welcome. Have a wonderful time in Bali!",
        "id": "Sama-sama. Selamat menikmati Bali!",
        "zh": "不客气，祝您在巴厘岛玩得愉快！",
        "ko": "천만에요. 발리에서 즐거운 시간 보내세요!",
        "ja": "どういたしまして。バリで素敵な時間をお過ごしください！",
        "ru": "Пожалуйста. Приятного отдыха на Бали!",
        "fr": "Avec plaisir. Excellent séjour à Bali !",
        "de": "Gern geschehen. Eine schöne Zeit auf Bali!",
    },
    "handoff": {
        "en": "I'm passing your question to a Love Bali duty officer, who will reply here. Please don't share card numbers in the chat.",
        "id": "Pertanyaan Anda saya teruskan ke petugas piket Love Bali, yang akan membalas di sini. Jangan bagikan nomor kartu di obrolan.",
        "zh": "我已将您的问题转给 Love Bali 值班人员，他们会在这里回复您。请不要在聊天中发送银行卡号。",
        "ko": "질문을 Love Bali 당직 직원에게 전달했습니다. 여기에서 답변드립니다. 채팅에 카드 번호를 보내지 마세요.",
        "ja": "ご質問を Love Bali の当番担当者に引き継ぎました。こちらで返信します。チャットにカード番号を書かないでください。",
        "ru": "Я передаю ваш вопрос дежурному сотруднику Love Bali, он ответит здесь. Не отправляйте номера карт в чат.",
        "fr": "Je transmets votre question à un agent de permanence Love Bali, qui vous répondra ici. Ne partagez pas de numéro de carte dans le chat.",
        "de": "Ich gebe Ihre Frage an einen diensthabenden Love-Bali-Mitarbeiter weiter, der hier antwortet. Bitte keine Kartennummern im Chat teilen.",
    },
    "handoff_queue": {
        "en": "All officers are busy or off duty right now. Your question is in the queue and an officer will answer here as soon as possible.",
        "id": "Semua petugas sedang sibuk atau tidak bertugas. Pertanyaan Anda masuk antrean dan petugas akan menjawab di sini secepatnya.",
        "zh": "目前所有值班人员都在忙或不在岗。您的问题已排队，工作人员会尽快在这里回复。",
        "ko": "지금은 모든 직원이 바쁘거나 근무 중이 아닙니다. 질문이 대기열에 있으며 최대한 빨리 여기에서 답변드립니다.",
        "ja": "ただいま担当者が全員対応中または勤務時間外です。ご質問は順番待ちに入りました。できるだけ早くこちらで回答します。",
        "ru": "Сейчас все сотрудники заняты или не на смене. Ваш вопрос в очереди, сотрудник ответит здесь как можно скорее.",
        "fr": "Tous les agents sont occupés ou absents pour le moment. Votre question est en file d'attente et un agent répondra ici dès que possible.",
        "de": "Alle Mitarbeiter sind gerade beschäftigt oder nicht im Dienst. Ihre Frage ist in der Warteschlange, ein Mitarbeiter antwortet hier so bald wie möglich.",
    },
    "suggest": {
        "en": "I'm not sure I understood. Did you mean one of these?",
        "id": "Saya kurang yakin memahami pertanyaan Anda. Apakah maksud Anda salah satu dari ini?",
        "zh": "我不太确定理解了您的问题。您是想问以下哪一个？",
        "ko": "질문을 정확히 이해했는지 모르겠어요. 다음 중 하나를 말씀하신 건가요?",
        "ja": "ご質問をうまく理解できなかったかもしれません。次のどれかでしょうか？",
        "ru": "Не уверен, что понял вопрос. Вы имели в виду одно из этого?",
        "fr": "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire l'une de ces questions ?",
        "de": "Ich bin nicht sicher, ob ich Sie verstanden habe. Meinten Sie eine dieser Fragen?",
    },
    "partly_answered": {
        "en": "I could not answer every question in your message. For the rest, ask it again in other words or press \"Talk to a person\".",
        "id": "Tidak semua pertanyaan dalam pesan Anda dapat saya jawab. Untuk sisanya, tanyakan lagi dengan kata lain atau tekan \"Bicara dengan petugas\".",
        "zh": "您消息中的问题我没能全部回答。其余的问题请换一种说法再问，或点击“转人工客服”。",
        "ko": "메시지의 모든 질문에 답하지는 못했습니다. 나머지는 다른 말로 다시 물어보시거나 \"상담원과 대화\"를 누르세요.",
        "ja": "メッセージのすべての質問にはお答えできませんでした。残りは言い方を変えてもう一度聞くか、「担当者と話す」を押してください。",
        "ru": "Я ответил не на все вопросы из вашего сообщения. Остальные задайте другими словами или нажмите «Связаться с человеком».",
        "fr": "Je n'ai pas pu répondre à toutes les questions de votre message. Pour le reste, reformulez-les ou appuyez sur « Parler à une personne ».",
        "de": "Ich konnte nicht alle Fragen Ihrer Nachricht beantworten. Stellen Sie die übrigen bitte anders oder tippen Sie auf „Mit einem Menschen sprechen“.",
    },
    "english_only": {
        "en": "",
        "id": "(Jawaban ini belum tersedia dalam bahasa Anda.)",
        "zh": "（此回答暂无您的语言版本。）",
        "ko": "(이 답변은 아직 귀하의 언어로 제공되지 않습니다.)",
        "ja": "（この回答はまだお使いの言語で用意されていません。）",
        "ru": "(Этот ответ пока недоступен на вашем языке.)",
        "fr": "(Cette réponse n'est pas encore disponible dans votre langue.)",
        "de": "(Diese Antwort gibt es noch nicht in Ihrer Sprache.)",
    },
    "ask_order": {
        "en": "Please give your order code and the email address used for the order, for example: LB7K2M9QXA name@example.com",
        "id": "Berikan kode pesanan dan alamat email yang dipakai untuk pesanan, misalnya: LB7K2M9QXA nama@contoh.com",
        "zh": "请提供订单号和下单时使用的电子邮箱，例如：LB7K2M9QXA name@example.com",
        "ko": "주문 코드와 주문에 사용한 이메일 주소를 알려 주세요. 예: LB7K2M9QXA name@example.com",
        "ja": "注文コードと注文に使ったメールアドレスを送ってください。例：LB7K2M9QXA name@example.com",
        "ru": "Укажите код заказа и адрес почты, использованный для заказа, например: LB7K2M9QXA name@example.com",
        "fr": "Donnez votre code de commande et l'adresse e-mail utilisée, par exemple : LB7K2M9QXA nom@example.com",
        "de": "Bitte nennen Sie Ihren Bestellcode und die E-Mail-Adresse der Bestellung, zum Beispiel: LB7K2M9QXA name@example.com",
    },
    "order_not_found": {
        "en": "I found no order with that code and email address. Please check both; the code is in your order email.",
        "id": "Tidak ada pesanan dengan kode dan alamat email itu. Periksa keduanya; kodenya ada di email pesanan Anda.",
        "zh": "没有找到该订单号和邮箱对应的订单。请核对两者；订单号在您的订单邮件中。",
        "ko": "해당 코드와 이메일 주소의 주문을 찾지 못했습니다. 둘 다 확인해 주세요. 코드는 주문 이메일에 있습니다.",
        "ja": "そのコードとメールアドレスの注文は見つかりませんでした。両方をご確認ください。コードは注文メールに記載されています。",
        "ru": "Заказ с таким кодом и почтой не найден. Проверьте оба значения; код указан в письме с заказом.",
        "fr": "Aucune commande avec ce code et cette adresse e-mail. Vérifiez les deux ; le code figure dans l'e-mail de commande.",
        "de": "Keine Bestellung mit diesem Code und dieser E-Mail-Adresse gefunden. Bitte prüfen Sie beides; der Code steht in Ihrer Bestell-E-Mail.",
    },
    "order_status": {
        "en": "Order {order}: {paid}. Vouchers issued: {issued} of {total}.",
        "id": "Pesanan {order}: {paid}. Voucher terbit: {issued} dari {total}.",
        "zh": "订单 {order}：{paid}。已签发凭证：{issued}/{total}。",
        "ko": "주문 {order}: {paid}. 발급된 바우처: {total}개 중 {issued}개.",
        "ja": "注文 {order}：{paid}。発行済みバウチャー：{total}件中{issued}件。",
        "ru": "Заказ {order}: {paid}. Выдано ваучеров: {issued} из {total}.",
        "fr": "Commande {order} : {paid}. Bons émis : {issued} sur {total}.",
        "de": "Bestellung {order}: {paid}. Ausgestellte Gutscheine: {issued} von {total}.",
    },
    "paid": {"en": "paid", "id": "lunas", "zh": "已付款", "ko": "결제 완료", "ja": "支払い済み", "ru": "оплачен", "fr": "payée", "de": "bezahlt"},
    "unpaid": {"en": "not paid yet", "id": "belum dibayar", "zh": "尚未付款", "ko": "미결제", "ja": "未払い", "ru": "ещё не оплачен", "fr": "pas encore payée", "de": "noch nicht bezahlt"},
    "resent": {
        "en": "Done: the vouchers of order {order} are being sent again to the order's email address.",
        "id": "Selesai: voucher pesanan {order} sedang dikirim ulang ke alamat email pesanan.",
        "zh": "已完成：订单 {order} 的凭证正在重新发送到订单邮箱。",
        "ko": "완료: 주문 {order}의 바우처를 주문 이메일 주소로 다시 보내고 있습니다.",
        "ja": "完了：注文 {order} のバウチャーを注文のメールアドレスに再送しています。",
        "ru": "Готово: ваучеры заказа {order} повторно отправляются на почту заказа.",
        "fr": "C'est fait : les bons de la commande {order} sont renvoyés à l'adresse e-mail de la commande.",
        "de": "Erledigt: Die Gutscheine der Bestellung {order} werden erneut an die E-Mail-Adresse der Bestellung geschickt.",
    },
    "not_paid_no_resend": {
        "en": "Order {order} is not paid yet, so there are no vouchers to send. If you were charged, I will pass you to an officer.",
        "id": "Pesanan {order} belum dibayar, jadi belum ada voucher untuk dikirim. Jika dana Anda terpotong, saya teruskan ke petugas.",
        "zh": "订单 {order} 尚未付款，因此没有可发送的凭证。如果您已被扣款，我会为您转接工作人员。",
        "ko": "주문 {order}은 아직 결제되지 않아 보낼 바우처가 없습니다. 요금이 청구되었다면 직원에게 연결해 드립니다.",
        "ja": "注文 {order} はまだ支払われていないため、送るバウチャーがありません。請求されている場合は担当者におつなぎします。",
        "ru": "Заказ {order} ещё не оплачен, поэтому ваучеров нет. Если деньги списаны, я передам вас сотруднику.",
        "fr": "La commande {order} n'est pas encore payée, il n'y a donc pas de bon à envoyer. Si vous avez été débité, je vous transmets à un agent.",
        "de": "Bestellung {order} ist noch nicht bezahlt, daher gibt es keine Gutscheine. Falls Ihnen etwas abgebucht wurde, verbinde ich Sie mit einem Mitarbeiter.",
    },
    "resolved": {
        "en": "This conversation is closed. How satisfied are you with the help you got (1 = not at all, 5 = very)?",
        "id": "Percakapan ini ditutup. Seberapa puas Anda dengan bantuan yang diberikan (1 = tidak puas, 5 = sangat puas)?",
        "zh": "本次对话已结束。您对获得的帮助满意吗（1 = 非常不满意，5 = 非常满意）？",
        "ko": "대화가 종료되었습니다. 받은 도움에 얼마나 만족하시나요(1 = 전혀, 5 = 매우)?",
        "ja": "この会話は終了しました。サポートの満足度を教えてください（1 = 不満、5 = とても満足）。",
        "ru": "Разговор завершён. Насколько вы довольны помощью (1 — совсем нет, 5 — очень)?",
        "fr": "Cette conversation est close. Êtes-vous satisfait de l'aide reçue (1 = pas du tout, 5 = très) ?",
        "de": "Dieses Gespräch ist beendet. Wie zufrieden sind Sie mit der Hilfe (1 = gar nicht, 5 = sehr)?",
    },
    "csat_thanks": {
        "en": "Thank you for your feedback.", "id": "Terima kasih atas penilaian Anda.", "zh": "感谢您的反馈。", "ko": "의견 감사합니다.",
        "ja": "ご意見ありがとうございます。", "ru": "Спасибо за отзыв.", "fr": "Merci pour votre avis.", "de": "Danke für Ihre Rückmeldung.",
    },
}

# Whole messages that are small talk, not questions (matched after case-folding and trimming).
SMALL_TALK = {
    "greeting": {"hi", "hello", "hey", "halo", "hai", "selamat pagi", "selamat siang", "selamat malam", "你好", "您好",
                 "안녕하세요", "안녕", "こんにちは", "こんばんは", "привет", "здравствуйте", "bonjour", "salut", "hallo",
                 "guten tag", "good morning", "good evening"},
    "thanks": {"thanks", "thank you", "thx", "terima kasih", "makasih", "谢谢", "감사합니다", "고마워요", "ありがとう",
               "ありがとうございます", "спасибо", "merci", "danke", "vielen dank", "ok thanks", "ok thank you"},
}


def phrase(key: str, language: str, **values) -> str:
    texts = PHRASES[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text
