import express from 'express';

/**
 * The ceiling of our stack on this machine: Express 5 on Node answering a fixed small HTML page,
 * with nothing else (no templates, database, security headers or logging). `/sized` answers a fixed
 * page of BASELINE_SIZED_BYTES, the campaign page's size, to show how much is just moving bytes, and
 * `POST /form` reads a form body and answers 303, the shape of signing without its work.
 */
const SMALL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>
<body><h1>Baseline</h1><p>A fixed small page: the ceiling of Express on this machine.</p></body></html>
`;
const sized = '<!doctype html>\n' + 'x'.repeat(Math.max(0, Number(process.env.BASELINE_SIZED_BYTES ?? 0) - 16));

const app = express();
app.get('/', (_req, res) => {
  res.type('html').send(SMALL);
});
app.get('/sized', (_req, res) => {
  res.type('html').send(sized);
});

// The shape of a signature without the work: read a form body, answer 303.
app.post('/form', express.urlencoded({ extended: false }), (_req, res) => {
  res.redirect(303, '/');
});

const server = app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => {
  console.log(`baseline listening on ${process.env.PORT ?? 3999}`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
