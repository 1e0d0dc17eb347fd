using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>
/// A convolution that is not TorchSharp's <c>Conv2d</c>: its own parameters (created as zeros, so a layer the
/// initialiser misses stays zero) and a functional forward. Stands in for a binarized convolution.
/// </summary>
internal sealed class CustomConv : nn.Module<Tensor, Tensor>, IConvLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly ConvSpec spec;

    public CustomConv(ConvSpec spec) : base(nameof(CustomConv))
    {
        this.spec = spec;
        weight = new Parameter(torch.zeros(spec.OutChannels, spec.InChannels, spec.KernelSize, spec.KernelSize));
        bias = spec.Bias ? new Parameter(torch.zeros(spec.OutChannels)) : null;
        RegisterComponents();
        Calls = 0;
    }

    /// <summary>Forward calls so far.</summary>
    public int Calls { get; private set; }

    public Tensor Weight => weight;

    public Tensor? Bias => bias;

    public long InChannels => spec.InChannels;

    public long OutChannels => spec.OutChannels;

    public (long Height, long Width) KernelSize => (spec.KernelSize, spec.KernelSize);

    public (long Height, long Width) Stride => (spec.Stride, spec.Stride);

    public override Tensor forward(Tensor input)
    {
        Calls++;
        return nn.functional.conv2d(input, weight, bias, strides: [spec.Stride, spec.Stride], padding: [spec.Padding, spec.Padding]);
    }

    /// <summary>The default factory with every convolution a <see cref="CustomConv"/>.</summary>
    public static LayerFactory Factory { get; } = LayerFactory.Default with { Conv = s => new CustomConv(s) };
}
