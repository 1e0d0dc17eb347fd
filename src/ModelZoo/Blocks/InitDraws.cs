using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The random draws of one <see cref="WeightInit.Apply"/> call: a private seeded generator, or the global torch
/// generator. Drawn with <c>torch.randn</c>/<c>torch.rand</c>, which honour the generator (TorchSharp 0.107's
/// <c>nn.init.normal_</c>/<c>uniform_</c> ignore it).
/// </summary>
public sealed class InitDraws
{
    private readonly Generator? generator;

    internal InitDraws(Generator? generator) => this.generator = generator;

    /// <summary>Fills <paramref name="tensor"/> with N(0, std^2).</summary>
    public void Normal(Tensor tensor, double std)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var draw = torch.randn(tensor.shape, dtype: tensor.dtype, device: tensor.device, generator: generator);
        tensor.copy_(draw).mul_(std);
    }

    /// <summary>Fills <paramref name="tensor"/> with U(-bound, bound).</summary>
    public void Uniform(Tensor tensor, double bound)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var draw = torch.rand(tensor.shape, dtype: tensor.dtype, device: tensor.device, generator: generator);
        tensor.copy_(draw).mul_(2 * bound).sub_(bound);
    }
}
