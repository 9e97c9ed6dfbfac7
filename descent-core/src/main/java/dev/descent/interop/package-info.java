/**
 * Interoperability with PyTorch: {@link dev.descent.interop.TorchStateDict} maps Descent models
 * to and from PyTorch state dicts (stored as safetensors files), layer by layer.
 *
 * <p>Depends on {@code dev.descent.nn} (the layers it maps), {@code dev.descent.io} (the
 * safetensors codec, its dtypes and integer tensors) and {@code dev.descent.tensor}. It sits
 * above both: {@code io} knows tensors, not modules, and {@code nn} knows no files.
 */
package dev.descent.interop;
