using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>
/// Channels-last (NHWC) memory format, PyTorch's <c>torch.channels_last</c>, for TorchSharp 0.107, which has no
/// memory-format argument: a 4-D tensor keeps its logical N, C, H, W shape and indexing, but its elements are laid
/// out pixel by pixel with the channels adjacent. oneDNN's convolutions (and most of all its bfloat16 ones) run
/// faster on that layout, and libtorch keeps it from layer to layer once the input and the weights have it.
/// Results are the same as with the default (contiguous NCHW) layout up to floating-point rounding: each layer's
/// output and input gradient within 1.5e-6 of a float64 reference (NCHW: 1e-7), the forward pass of a zoo model within
/// 1e-5. Over many training steps that rounding difference grows like any other (see docs/precision.md), so fp32
/// training stays NCHW unless asked, while 16-bit training, whose own rounding is a thousand times larger, uses it.
/// </summary>
public static class ChannelsLast
{
    /// <summary>
    /// A channels-last copy of a 4-D tensor (or the tensor itself when it already is, or is not 4-D), with the same
    /// values, shape and autograd history.
    /// </summary>
    public static Tensor Convert(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4 || IsChannelsLast(tensor)) return tensor;
        return tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>True when <paramref name="tensor"/> is 4-D and laid out channels-last (sizes of 1 may have any stride).</summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) return false;
        var size = tensor.shape;
        var stride = tensor.stride();
        long expected = 1;
        // Channels-last order from the fastest dimension: C, W, H, N.
        foreach (int d in new[] { 1, 3, 2, 0 })
        {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    /// <summary>
    /// Converts every 4-D parameter and buffer of <paramref name="module"/> (convolution weights) to channels-last in
    /// place, keeping the same parameter objects, so optimisers built before or after see them. Call it before the
    /// optimiser takes its first step (its state is created in the parameters' layout). Returns the number converted.
    /// </summary>
    public static int Apply(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        int converted = 0;
        using var noGrad = no_grad();
        foreach (var (_, p) in module.named_parameters())
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var nhwc = Convert(p);
            p.set_(nhwc);
            converted++;
        }
        foreach (var (_, b) in module.named_buffers())
        {
            if (b.dim() != 4 || IsChannelsLast(b)) continue;
            using var nhwc = Convert(b);
            b.set_(nhwc);
            converted++;
        }
        return converted;
    }

    /// <summary>
    /// Whether training uses channels-last by default for <paramref name="precision"/> on <paramref name="device"/>. On CPU: true
    /// for every precision, where it measured faster for every zoo model (bench/PrecisionBench, 2 threads, training
    /// steps; docs/results.md "Channels-last by default"): fp32 1.3-1.7x for resnet18, googlenet, vgg16, deepcnn_wide and
    /// the binary nets, bf16 1.1-2.2x; only the small deepcnn is even (0.9-1.2x between rounds). Channels-last and NCHW
    /// outputs agree to rounding (1e-5, tested). On CUDA: true for bf16/fp16 (tensor cores work on NHWC, PyTorch's
    /// advice), false for fp32; the CUDA path is untested here.
    /// </summary>
    public static bool PreferredFor(ComputePrecision precision, TorchSharp.DeviceType device) =>
        device == TorchSharp.DeviceType.CPU || (device == TorchSharp.DeviceType.CUDA && precision != ComputePrecision.Fp32);

    /// <summary>
    /// Whether evaluation and prediction give the model channels-last input by default: for bf16/fp16 on CPU, where
    /// oneDNN's 16-bit convolutions work on NHWC. Inference converts only the input (the weights stay as loaded), and
    /// that was not measured faster in fp32, so fp32 inference stays NCHW unless asked.
    /// </summary>
    public static bool PreferredForInference(ComputePrecision precision, TorchSharp.DeviceType device) =>
        precision != ComputePrecision.Fp32 && PreferredFor(precision, device);
}
