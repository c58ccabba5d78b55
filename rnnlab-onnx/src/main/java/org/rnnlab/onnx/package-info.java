/**
 * ONNX export: {@link org.rnnlab.onnx.OnnxExport} turns a character model into an ONNX model (the embedding as a
 * Gather, each recurrent layer as ONNX's own RNN, LSTM or GRU operator, the output layer as MatMul and Add, then
 * LogSoftmax) that any ONNX runtime runs. The protobuf classes in {@code org.rnnlab.onnx.proto} are generated at
 * build time from {@code src/main/proto/onnx.proto}, ONNX 1.12's own schema.
 *
 * <p>Its own module so that the core stays free of protobuf. Deliberately not here: reading ONNX files back (rnnlab
 * trains and generates from its own files), ONNX's external-data files for models over 2 GiB.
 *
 * <p>Internal, as every package but {@code org.rnnlab}: it may change.
 */
package org.rnnlab.onnx;
