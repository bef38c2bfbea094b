import type { en } from './en.js';

/** The English catalog's shape with any words: the compiler then refuses a Spanish catalog missing a key. */
type Translation<T> = {
  readonly [K in keyof T]: T[K] extends string
    ? string
    : T[K] extends { readonly other: string }
      ? { readonly one: string; readonly other: string; readonly many?: string }
      : Translation<T[K]>;
};

/**
 * Every word a supporter sees, in Spanish: a neutral Latin American Spanish that reads naturally in
 * Mexico, the Caribbean, South America and the United States, addressing the reader as "tú", as
 * Spanish-language campaign sites do. Written as Spanish, not word for word from en.ts. A count that
 * Intl.PluralRules calls "many" (a million exactly) takes "de": "1.000.000 de firmas".
 */
export const es: Translation<typeof en> = {
  site: {
    skip_link: 'Saltar al contenido principal',
    language: 'Idioma',
    footer_privacy: 'Privacidad: qué datos guardamos y por qué',
    footer_no_trackers: 'Este sitio no usa rastreadores ni analíticas, y no carga nada de otros sitios web.',
    error_title: 'Error: {title}',
    social_image_alt: 'Undersigned: agrega tu nombre a la carta. Firma la carta.',
  },
  campaign: {
    eyebrow: 'Carta abierta a {target}',
    required_note: '{star} indica un campo obligatorio',
    first_name: 'Nombre',
    last_name: 'Apellido',
    email: 'Correo electrónico',
    country: 'País',
    country_prompt: 'Elige tu país',
    postal_code: 'Código postal',
    comment: 'Comentario (opcional)',
    comment_hint: 'Es posible que se lea en voz alta junto con la carta.',
    comment_info: 'Puedes escribir hasta {max} caracteres',
    comment_left: { one: 'Te queda %{count} carácter', other: 'Te quedan %{count} caracteres' },
    comment_over: { one: 'Te sobra %{count} carácter', other: 'Te sobran %{count} caracteres' },
    honeypot: 'Deja este campo vacío',
    sign_button: 'Firmar la carta',
    fineprint: 'Usamos tus datos solo para entregar esta carta y, si marcas la casilla, para enviarte novedades.',
    fineprint_recent:
      'Tu nombre, la inicial de tu apellido y tu país aparecerán en la lista de firmas recientes de esta página.',
    privacy_link: 'Cómo cuidamos tus datos',
    closed_heading: 'Esta campaña ya cerró',
    closed_count: {
      one: '{total} persona firmó la carta a {target}. Gracias a quien lo hizo.',
      other: '{total} personas firmaron la carta a {target}. Gracias a cada una de ellas.',
      many: '{total} de personas firmaron la carta a {target}. Gracias a cada una de ellas.',
    },
    letter_heading: 'La carta',
    first_to_sign: 'Sé la primera persona en firmarla.',
    nobody_signed: 'Nadie la firmó.',
    signed_open: {
      one: 'Firmada por {count} persona, y sumando',
      other: 'Firmada por {count} personas, y sumando',
      many: 'Firmada por {count} de personas, y sumando',
    },
    signed_closed: {
      one: 'Firmada por {count} persona',
      other: 'Firmada por {count} personas',
      many: 'Firmada por {count} de personas',
    },
    add_your_name: 'Agrega tu nombre',
  },
  progress: {
    count: { one: '{total} firma {goal}', other: '{total} firmas {goal}', many: '{total} de firmas {goal}' },
    of_goal: 'de una meta de {goal}',
    goal_reached: 'Llegamos a la meta. Cada nombre que se suma le da más fuerza.',
    to_go: '{percent} % de la meta · faltan {left}',
    to_go_under_one: 'Menos del 1 % de la meta · faltan {left}',
    announce: {
      one: 'Hasta ahora, {count} firma',
      other: 'Hasta ahora, {count} firmas',
      many: 'Hasta ahora, {count} de firmas',
    },
  },
  recent: {
    heading: 'Firmas recientes',
    signer: '{name}, {country}',
    fineprint: 'Solo mostramos el nombre, la inicial del apellido y el país.',
  },
  share: {
    heading: 'Ahora pídeselo a una persona más',
    text: 'La mayoría firma porque alguien de confianza se lo pidió. Compartir toma diez segundos.',
    email: 'Correo',
    copy_label: 'O copia el enlace',
    copy_button: 'Copiar enlace',
    copied: 'Enlace copiado. Pégalo donde quieras para compartirlo.',
    copy_failed: 'Selecciona el enlace y cópialo.',
  },
  thanks: {
    title: 'Gracias por firmar: {title}',
    sign_cta: 'Lee la carta y fírmala',
    back: 'Volver a la campaña',
    confirm_eyebrow: 'Falta un paso para que cuente tu firma en la carta a {target}',
    confirm_heading_named: 'Gracias, {name}. Ahora revisa tu correo',
    confirm_heading: 'Gracias. Ahora revisa tu correo',
    confirm_lede:
      'Te estamos enviando un correo con un enlace a la dirección que nos diste. Ábrelo y presiona “Confirmar mi firma”: tu firma cuenta en cuanto la confirmes.',
    confirm_help:
      'Puede tardar unos minutos en llegar. Si no lo encuentras, busca en la carpeta de spam o correo no deseado. Si aun así no llega, vuelve a firmar con la misma dirección y te lo enviaremos de nuevo.',
    signed_eyebrow: 'Firmaste la carta a {target}',
    heading_named: '¡Gracias, {name}!',
    heading: '¡Gracias!',
  },
  embed: {
    read_letter: 'Lee la carta completa (se abre en una pestaña nueva)',
    thanks: 'Tu nombre ya está en la carta. Gracias por sumarlo.',
    thanks_confirm:
      'Te estamos enviando un correo: ábrelo y presiona “Confirmar mi firma”. Tu firma cuenta en cuanto la confirmes.',
    open_full: 'Abrir la página de la campaña en una pestaña nueva',
  },
  sign: {
    limited_heading: 'Demasiadas firmas desde tu conexión',
    limited:
      'En el último minuto llegaron demasiadas firmas desde tu conexión, así que la tuya todavía no se agregó. Espera un minuto y vuelve a presionar “Firmar la carta”: tus datos siguen en el formulario. Si muchas personas comparten tu conexión, alguna puede firmar un poco más tarde.',
    expired:
      'Esta página estuvo abierta mucho tiempo, así que tu firma todavía no se agregó. Revisa tus datos y vuelve a presionar “Firmar la carta”.',
    closed_heading: 'Esta campaña ya cerró',
    closed: 'Ya no recibe firmas, así que la tuya no se agregó. Gracias por querer participar.',
    closed_link: 'Ver el total final de “{title}”',
  },
  form: {
    summary_heading: 'Hay un problema',
    error_prefix: 'Error:',
    name_missing: { first_name: 'Escribe tu nombre', last_name: 'Escribe tu apellido' },
    name_too_long: {
      first_name: 'Tu nombre puede tener como máximo {max} caracteres',
      last_name: 'Tu apellido puede tener como máximo {max} caracteres',
    },
    name_letters: {
      first_name: 'Escribe tu nombre con letras',
      last_name: 'Escribe tu apellido con letras',
    },
    email_missing: 'Escribe tu correo electrónico',
    email_too_long: 'Tu correo electrónico puede tener como máximo {max} caracteres',
    email_format: 'Escribe un correo electrónico válido, como nombre@ejemplo.com',
    email_disposable:
      'Escribe un correo electrónico propio: las direcciones de {domain} son desechables (cualquiera puede leer su correo), así que no sirven para firmar',
    country_missing: 'Elige tu país',
    comment_too_long: 'Tu comentario puede tener como máximo {max} caracteres',
    comment_unreadable: 'Tu comentario tiene caracteres que no pudimos leer: escríbelo de nuevo, por favor',
    updates_invalid: 'Marca la casilla para recibir novedades, o déjala vacía',
    zip_missing: 'Escribe tu código postal (ZIP), o cambia el país si no vives en Estados Unidos',
    zip_format:
      'Escribe un código postal (ZIP) de 5 dígitos, como 12345 o 12345-6789, o cambia el país si no vives en Estados Unidos',
    postal_missing: 'Escribe tu código postal, o cambia el país si no vives en {country}',
    postal_format_in:
      'Escribe un código postal con letras, números, espacios y guiones, o cambia el país si no vives en {country}',
    postal_format: 'Escribe un código postal con letras, números, espacios y guiones',
  },
  errors: {
    not_found_heading: 'No encontramos esta página',
    not_found:
      'Si escribiste la dirección, revisa que esté bien. Si llegaste por un enlace, puede que ya no esté vigente.',
    too_large_heading: 'Lo que enviaste es demasiado largo',
    too_large: 'Acorta lo que escribiste y vuelve a intentarlo.',
    bad_request_heading: 'Algo en esa solicitud no estaba bien',
    bad_request: 'No pudimos leer esa solicitud. Vuelve atrás e inténtalo de nuevo.',
    unavailable_title: 'Vuelve a intentarlo',
    unavailable_heading: 'Lo sentimos, vuelve a intentarlo en un momento',
    unavailable:
      'Hay mucha actividad y no pudimos guardar eso ahora. No se registró nada: vuelve atrás y envía el formulario otra vez.',
    server_heading: 'Lo sentimos, algo salió mal',
    server: 'Vuelve a intentarlo en un momento.',
    cross_site_heading: 'Este formulario se envió desde otro sitio',
    cross_site:
      'Por tu seguridad, solo aceptamos formularios enviados desde nuestras propias páginas. Vuelve a la página de la campaña y firma ahí.',
    go_to_campaign: 'Ir a la campaña',
  },
  links: {
    confirmed_title: 'Tu firma está confirmada: {title}',
    confirm_title: 'Confirma tu firma: {title}',
    your_signature_eyebrow: 'Tu firma en la carta a {target}',
    confirmed_heading: 'Tu firma está confirmada',
    confirmed_lede: 'Gracias. Tu nombre ya cuenta en la carta “{title}”.',
    changed_mind: '¿Cambiaste de opinión?',
    remove_mine: 'Quitar mi firma',
    stop_updates: 'No quiero recibir más novedades',
    confirm_eyebrow: 'Falta un paso para que cuente tu firma en la carta a {target}',
    confirm_heading: 'Confirma tu firma',
    confirm_lede:
      'Presiona el botón para agregar tu nombre a la carta “{title}”. Hasta que lo hagas, tu firma no cuenta.',
    confirm_button: 'Confirmar mi firma',
    not_you_heading: '¿No firmaste, o cambiaste de opinión?',
    not_you:
      'Si alguien más usó tu correo electrónico, no hagas nada: una firma sin confirmar nunca se cuenta, y la borramos a los {days} días.',
    remove_now: 'Quitar esta firma ahora',
    go_to_campaign_page: 'Ir a la página de la campaña',
    expired_title: 'Este enlace ya venció',
    expired: '“{title}” ya cerró, así que ya no se pueden confirmar firmas. Gracias por querer participar.',
    unknown_title: 'Este enlace no funciona',
    unknown_lede: 'Puede que esté incompleto, o que la firma a la que corresponde se haya quitado.',
    unknown_help:
      'Revisa que hayas abierto el enlace completo del correo. Si el correo llegó hace tiempo, puede que su firma se haya borrado porque no se confirmó a tiempo.',
    unknown_help_open:
      'Revisa que hayas abierto el enlace completo del correo. Si el correo llegó hace tiempo, puede que su firma se haya borrado porque no se confirmó a tiempo: puedes volver a firmar en la página de la campaña y te enviaremos un enlace nuevo.',
    go_to: 'Ir a “{title}”',
    unsubscribe_title: 'Dejar de recibir novedades: {title}',
    unsubscribe_heading: '¿Dejar de recibir novedades?',
    unsubscribe_lede:
      'Pediste recibir novedades por correo sobre “{title}”. Presiona el botón y no te enviaremos más. Tu firma sigue en la carta.',
    unsubscribed_heading: 'Ya no recibirás novedades',
    unsubscribed_lede: 'No te enviaremos novedades sobre “{title}”. Tu firma sigue en la carta.',
    never_heading: 'No estás en la lista de novedades',
    never_lede: 'No pediste recibir novedades sobre “{title}”, así que no te enviamos ninguna.',
    withdraw_title: 'Quitar tu firma: {title}',
    withdraw_heading: '¿Quitar tu firma?',
    withdraw_lede:
      'Esto quita tu nombre de la carta “{title}” y borra lo que nos diste al firmar: tu nombre, tu correo electrónico, tu código postal y tu comentario.',
    withdraw_lede_confirmed:
      'Esto quita tu nombre de la carta “{title}” y borra lo que nos diste al firmar: tu nombre, tu correo electrónico, tu código postal y tu comentario. El total baja en uno de inmediato.',
    fewer_emails: '¿Solo quieres recibir menos correos? {link} y conserva tu firma.',
    keep: 'Conservar mi firma e ir a la página de la campaña',
    withdrawn_title: 'Quitamos tu firma: {title}',
    withdrawn_heading: 'Quitamos tu firma',
    withdrawn_lede: 'Tu nombre ya no está en la carta “{title}”, y borramos los datos que nos diste al firmar.',
    withdrawn_again: 'Si vuelves a cambiar de opinión, puedes firmar en la página de la campaña.',
  },
  privacy: {
    title: 'Privacidad: qué datos guardamos y por qué',
    description:
      'Qué guarda este sitio cuando firmas, quién puede verlo, cuánto tiempo se conserva y cómo pedir una copia o que se borre.',
    lede: 'Firmar una carta como esta dice algo sobre lo que crees. Por eso este sitio guarda solo lo que la carta necesita, no le muestra a nadie quién firmó y te olvida cuando termina la campaña.',
    collect_heading: 'Qué guardamos cuando firmas',
    collect_name:
      '**Tu nombre y apellido, tu país y tu código postal**, para que la carta muestre que la respaldan personas reales, y dónde viven.',
    collect_email:
      '**Tu correo electrónico**, para que cada persona firme una sola vez, para encontrar tu firma si pides una copia o quieres quitarla y, solo si marcas la casilla, para enviarte novedades.',
    collect_comment:
      '**Tu comentario**, si escribes uno. Es posible que los organizadores lo lean en voz alta o lo entreguen junto con la carta, así que no escribas nada que no quieras que vea quien la recibe.',
    collect_updates:
      '**Si marcaste la casilla de novedades**, y qué texto tenía cuando la viste. Nunca la marcamos por ti.',
    collect_language: '**El idioma en que firmaste**, para escribirte en ese idioma.',
    collect_source:
      '**De dónde venía el enlace que seguiste**, cuando lo indica: un canal como “whatsapp” o “email”, o el nombre de la organización aliada en cuyo sitio web aparecía el formulario. Nombra un canal, nunca a una persona.',
    collect_time: '**La fecha y la hora en que firmaste**.',
    collect_hash:
      '**Un código cifrado hecho a partir de tu dirección de internet**. Nos permite notar si llegan muchas firmas desde un mismo lugar, que es como suelen llegar las firmas falsas. Se genera con una clave secreta que solo tiene el sitio, así que sin esa clave no se puede volver a convertir en tu dirección. Lo borramos siete días después de que firmas.',
    email_heading: 'Los correos que enviamos',
    email_intro:
      'Cuando una de las campañas de abajo lo indica, tu firma cuenta solo después de que la confirmas, para que nadie pueda firmar en nombre de otra persona.',
    email_when:
      '**Cuando firmas**, enviamos un correo a la dirección que nos diste, con un enlace a una página donde presionas “Confirmar mi firma”. Abrir el enlace no cambia nada por sí solo; solo el botón lo hace. En esa misma página puedes quitar tu firma.',
    email_again:
      '**Si vuelves a firmar** con la misma dirección, te enviamos ese correo otra vez (o, si ya confirmaste, un correo que te avisa que ya firmaste, con un enlace para quitar tu firma). Enviamos como máximo {perSignature} correos de este tipo por firma, y como máximo {perDay} al día a una misma dirección, para que nadie pueda usar el formulario para llenar tu bandeja de entrada.',
    email_unconfirmed:
      '**Si no confirmas**, tu firma nunca se cuenta, y la borramos, junto con tu nombre y tu correo electrónico, {days} días después de que firmaste.',
    email_from:
      'Los correos llegan desde {from}; las respuestas les llegan a los organizadores de la campaña. No tienen imágenes ni rastreo: no podemos saber si los abriste ni cuándo, y los enlaces llevan directo a este sitio.',
    email_bounce:
      'Si un servidor de correo nos avisa que tu dirección no existe, lo anotamos y no le enviamos nada más.',
    email_unsubscribe:
      'Si marcaste la casilla de novedades, cada correo incluye una forma de dejar de recibirlas (tu programa de correo puede mostrarla como “Cancelar suscripción”).',
    not_heading: 'Qué no guardamos',
    not_ip: 'No guardamos tu dirección de internet (IP) ni nada sobre tu navegador o tu dispositivo.',
    not_trackers:
      'No hay rastreadores, analíticas ni publicidad, y ninguna página carga nada de otro sitio web, ni siquiera tipografías.',
    not_logs:
      'Los registros de nuestro servidor anotan qué página se pidió y cuánto tardó, nunca quién la pidió: ni nombres, ni correos electrónicos, ni códigos postales, ni direcciones de internet.',
    not_cookie:
      'Hay una sola cookie. Después de que firmas, lleva tu nombre a la página de agradecimiento para que te salude. Solo se envía a esa página y vence al cabo de una hora.',
    who_heading: 'Quién puede verlo',
    who_organizers:
      'Los organizadores de la campaña que firmaste, que se nombran abajo, pueden ver las firmas de su campaña: las personas a quienes les dieron una cuenta de organizador para esa campaña, y los administradores de este sitio, que gestionan esas cuentas.',
    who_other_campaigns: 'Los organizadores de las demás campañas de este sitio no pueden ver tu firma.',
    who_updates_lists: 'Las listas para enviar novedades incluyen solo a quienes marcaron la casilla.',
    campaign_scoped:
      'Sus firmas solo las pueden ver las cuentas de organizador asignadas a esta campaña y los administradores de este sitio.',
    who_nobody: 'Nadie más. No vendemos, alquilamos ni regalamos tus datos a nadie.',
    who_public: 'El público ve cuántas personas firmaron y cuántas son de cada país.',
    who_public_recent:
      'El público ve cuántas personas firmaron y cuántas son de cada país. Cuando una de las campañas de abajo lo indica, su página también muestra las firmas más recientes, cada una solo con el nombre, la inicial del apellido y el país.',
    who_email: 'Tu correo electrónico nunca aparece en este sitio.',
    how_long_heading: 'Cuánto tiempo lo guardamos',
    how_long:
      'Cada campaña indica cuánto tiempo conserva tus datos después de cerrar (ver abajo). Cuando se cumple ese plazo, se borran tu nombre, tu correo electrónico, tu código postal, tu comentario y el código cifrado de tu dirección. Solo quedan tu país y la fecha en que firmaste, sin nada que pueda llevar hasta ti, para que los totales de la campaña sigan siendo ciertos. Las copias de respaldo de la base de datos se reemplazan en un plazo de 30 días, así que lo que se borra también desaparece de ellas en 30 días.',
    requests_heading: 'Pedir una copia, o que se borre',
    requests:
      'Escríbeles a los organizadores de la campaña que firmaste, a la dirección que aparece abajo, y diles con qué correo electrónico firmaste. Pueden enviarte todo lo que este sitio guarda sobre esa dirección, y pueden borrar tu firma de todas las campañas del sitio; el total bajará en uno. Si solo quieres dejar de recibir novedades, díselo.',
    campaigns_heading: { one: 'Quién organiza esta campaña', other: 'Quién organiza cada campaña' },
    runs: '{name} organiza esta campaña. Para pedir una copia de tus datos, o que se borren, escribe a {email}.',
    runs_url:
      '{name} organiza esta campaña ({url}). Para pedir una copia de tus datos, o que se borren, escribe a {email}.',
    consent: 'La casilla de novedades dice: “{text}” (versión {version}).',
    confirm_email: 'Las firmas cuentan una vez confirmadas desde el correo que enviamos al firmar.',
    delivered:
      'La carta ya se entregó con los nombres y países de quienes la firmaron (y, si así lo decidieron los organizadores, sus comentarios). {link} muestra cuándo, cuántos nombres y una huella digital de la lista, pero ningún nombre.',
    delivery_record: 'El registro de entrega',
    lists_recent: 'La página de la campaña muestra las firmas más recientes: nombre, inicial del apellido y país.',
    no_recent: 'La página de la campaña no muestra quién firmó.',
    retention_open: {
      one: 'Esta campaña sigue abierta. Guardamos tus datos mientras dure y durante {count} mes después de que cierre; luego los borramos.',
      other:
        'Esta campaña sigue abierta. Guardamos tus datos mientras dure y durante {count} meses después de que cierre; luego los borramos.',
    },
    retention_past: {
      one: 'Esta campaña cerró el {closed}. Ya pasó el {count} mes durante el que guardamos los datos, así que los nombres, correos electrónicos, códigos postales y comentarios de quienes firmaron ya se borraron, o se borrarán en la próxima limpieza diaria.',
      other:
        'Esta campaña cerró el {closed}. Ya pasaron los {count} meses durante los que guardamos los datos, así que los nombres, correos electrónicos, códigos postales y comentarios de quienes firmaron ya se borraron, o se borrarán en la próxima limpieza diaria.',
    },
    retention_closed: {
      one: 'Esta campaña cerró el {closed}. Guardamos los datos de quienes firmaron durante {count} mes después de esa fecha y los borramos el {ends}.',
      other:
        'Esta campaña cerró el {closed}. Guardamos los datos de quienes firmaron durante {count} meses después de esa fecha y los borramos el {ends}.',
    },
  },
  mail: {
    milestone_subject: '{count} firmas: {title}',
    milestone_heading: '{count} firmas',
    milestone_body: 'La carta a {target}, «{title}», ha superado las {count} firmas contadas.',
    milestone_link: 'Consulta el recuento, los gráficos y las señales en la página del recuento:',
    milestone_footer:
      'Enviado una sola vez a cada cuenta organizadora de esta campaña, porque su contenido marca {count} como hito.',
    confirm_subject: 'Confirma tu firma: {title}',
    already_subject: 'Ya firmaste: {title}',
    hello: 'Hola, {name}:',
    questions: '¿Tienes preguntas? Responde a este correo para escribirle a {organizer}.',
    footer:
      'Te escribimos porque esta dirección se usó para firmar “{title}”. Sin imágenes ni rastreo: no podemos saber si abriste este correo.',
    copy_address: 'Si el botón no funciona, copia esta dirección en tu navegador:',
    confirm_heading: 'Confirma tu firma',
    confirm_thanks: 'Gracias por firmar la carta a {target}: “{title}”. Tu firma cuenta en cuanto la confirmes.',
    confirm_thanks_text: 'Gracias por firmar la carta a {target}: “{title}”.',
    confirm_counts_text: 'Tu firma cuenta en cuanto la confirmes. Abre este enlace y presiona “Confirmar mi firma”:',
    confirm_button: 'Abrir la página para confirmar',
    confirm_press: 'En esa página, presiona “Confirmar mi firma”.',
    confirm_not_you:
      'Si no firmaste, puedes ignorar este correo: una firma sin confirmar nunca se cuenta, y la borramos a los {days} días. En esa misma página puedes quitarla de inmediato.',
    already_heading: 'Ya firmaste',
    already:
      'Alguien, probablemente tú, acaba de firmar otra vez “{title}” con esta dirección de correo. Ya habías firmado, y tu firma se cuenta una sola vez: no tienes que hacer nada más.',
    already_button: 'Quitar mi firma',
    already_button_updates: 'Quitar mi firma o dejar de recibir novedades',
    already_link_text: 'Para quitar tu firma, abre este enlace:',
    already_link_text_updates: 'Para quitar tu firma o dejar de recibir novedades, abre este enlace:',
    already_not_you: 'Si no fuiste tú, puedes ignorar este correo. No cambió nada.',
  },
};
