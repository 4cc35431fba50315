// Fed by the `orders` queue (see lambdalet.json): SQS's event, up to 10
// records a batch. An order without an `item` is reported back in
// batchItemFailures, so only it returns to the queue; after 3 receipts the
// queue's redrive policy moves it to `orders-dlq`.
export const handler = async (event) => {
  const batchItemFailures = []
  for (const record of event.Records) {
    const order = JSON.parse(record.body)
    if (typeof order.item !== 'string') {
      console.log(`order ${record.messageId} has no item (receipt ${record.attributes.ApproximateReceiveCount})`)
      batchItemFailures.push({ itemIdentifier: record.messageId })
      continue
    }
    console.log(`packing ${order.quantity ?? 1} × ${order.item} (message ${record.messageId})`)
  }
  return { batchItemFailures }
}
