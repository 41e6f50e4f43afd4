// The mensajes mapping done in SQL, as the guide's procedure does it: CASE for the
// enumerations and a join for the phone. A baseline for cost, not the contract: the phone
// is copied as typed (the guide has no normalization), unknown enumeration values take
// the default instead of being rejected, and rows that would break a constraint are
// filtered out rather than reported. So both baselines do less work than copiar-tablas.

const TIPO = `CASE lower(trim(m.message_type))
  WHEN 'image' THEN 'imagen' WHEN 'imagen' THEN 'imagen' WHEN 'audio' THEN 'audio' WHEN 'video' THEN 'video'
  WHEN 'document' THEN 'documento' WHEN 'documento' THEN 'documento' WHEN 'location' THEN 'ubicacion'
  WHEN 'ubicacion' THEN 'ubicacion' WHEN 'contact' THEN 'contacto' WHEN 'contacto' THEN 'contacto' ELSE 'texto' END`;

const ESTADO = `CASE lower(trim(m.processing_status))
  WHEN 'pending' THEN 'pendiente' WHEN 'pendiente' THEN 'pendiente' WHEN 'processing' THEN 'procesando'
  WHEN 'procesando' THEN 'procesando' WHEN 'error' THEN 'error' WHEN 'failed' THEN 'error' ELSE 'completado' END`;

export const GUIDE_MAPPING_SELECT = `SELECT m.id, m.conversation_id,
  u.phone_number,
  ${TIPO},
  COALESCE(m.content, ''),
  NULLIF(trim(m.media_url), ''),
  NULLIF(trim(m.media_type), ''),
  m.ai_response,
  ${ESTADO},
  CASE WHEN jsonb_typeof(m.metadata) = 'object' THEN m.metadata WHEN m.metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('valor', m.metadata) END,
  m."timestamp"
FROM messages m JOIN users u ON u.id = m.user_id
WHERE u.phone_number IS NOT NULL AND length(u.phone_number) <= 20
  AND (m.media_url IS NULL OR length(trim(m.media_url)) <= 500)
  AND (m.media_type IS NULL OR length(trim(m.media_type)) <= 20)`;
