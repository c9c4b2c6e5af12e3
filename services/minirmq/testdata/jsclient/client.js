'use strict';
// Drives ali-ons (a pure-JavaScript RocketMQ 4.x client) against minirmq for
// jsclient_test.go. Every line on stdout is one JSON event.
//
//   node client.js produce NS GROUP TOPIC    (stdin: one BODY or BODY:delayLevel a line)
//   node client.js consume NS GROUP TOPIC INSTANCE [REBALANCE_MS [CONSUME_FROM]]
//
// Both print {"event":"ready"} once started, then {"event":"sent",...} per
// message sent or {"event":"got",...} per message consumed, and stop when
// stdin closes.
const { Producer, Consumer, Message } = require('ali-ons');

// ali-ons asks an HTTP client only to look up Aliyun's name-server address;
// with nameSrv it never calls it.
const httpclient = { request() { throw new Error('no HTTP in this test'); } };
const emit = ev => process.stdout.write(JSON.stringify(ev) + '\n');
const [ mode, nameSrv, group, topic, ...rest ] = process.argv.slice(2);
const auth = { accessKeyId: 'unused', accessKeySecret: 'unused' };

async function produce() {
  const producer = new Producer({ httpclient, nameSrv, producerGroup: group, instanceName: 'js-producer', ...auth });
  await producer.ready();
  emit({ event: 'ready' });
  // One message per stdin line: BODY or BODY:delayLevel.
  const lines = require('readline').createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [ body, level ] = line.trim().split(':');
    if (!body) continue;
    const msg = new Message(topic, 'TagJS', body);
    msg.keys = [ 'key-' + body ];
    if (level) msg.delayTimeLevel = Number(level);
    try {
      const r = await producer.send(msg);
      emit({ event: 'sent', body, status: r.sendStatus, msgId: r.msgId, queueId: Number(r.messageQueue.queueId), queueOffset: r.queueOffset });
    } catch (err) {
      emit({ event: 'send-failed', body, message: err.message });
    }
  }
  await producer.close();
}

async function consume() {
  const opts = { httpclient, nameSrv, consumerGroup: group, instanceName: rest[0],
    consumeFromWhere: rest[2] || 'CONSUME_FROM_FIRST_OFFSET', ...auth };
  if (Number(rest[1])) opts.rebalanceInterval = Number(rest[1]); // ali-ons's default is 10 s
  const consumer = new Consumer(opts);
  consumer.on('error', err => emit({ event: 'error', message: err.message }));
  consumer.subscribe(topic, '*', async msg => {
    emit({ event: 'got', body: msg.body.toString(), tags: msg.tags, keys: msg.keys, queueId: msg.queueId, queueOffset: msg.queueOffset, reconsumeTimes: msg.reconsumeTimes });
  });
  await consumer.ready();
  emit({ event: 'ready' });
  process.stdin.resume();
  await new Promise(resolve => process.stdin.on('end', resolve));
  await consumer.close();
}

(mode === 'produce' ? produce() : consume()).then(() => process.exit(0), err => {
  emit({ event: 'fatal', message: String(err && err.stack || err) });
  process.exit(1);
});
