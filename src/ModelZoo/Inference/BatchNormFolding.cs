using ModelZoo.Blocks;
using ModelZoo.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Inference;

/// <summary>
/// Folds each batch norm of an eval-mode model into the convolution before it, for inference: the convolution's
/// weight becomes <c>W * gamma / sqrt(var + eps)</c> per output channel and its bias
/// <c>(b - mean) * gamma / sqrt(var + eps) + beta</c>, and the batch norm is replaced by <c>nn.Identity</c> wherever
/// the model refers to it, so a forward pass runs one convolution where it ran a convolution and a normalisation.
/// The outputs equal the unfolded model's to float32 rounding.
/// </summary>
/// <remarks>
/// <para>
/// Pairs are found where the order of the forward pass is known: consecutive children of a <c>Sequential</c> (VGG-bn
/// and deepcnn_wide features, the residual shortcuts' <c>downsample</c>, the Inception branches) and the named pairs
/// of the zoo blocks (<see cref="ConvBnAct"/> and so GoogLeNet's BasicConv2d, <see cref="BasicBlock"/>,
/// <see cref="Bottleneck"/>, the ResNet stem). Only plain <c>Conv2d</c> layers take a fold: a binarised convolution
/// must keep its ±1 weights, so its batch norm stays (and is listed in <see cref="BatchNormFoldResult.Kept"/>).
/// </para>
/// <para>
/// Folding changes the model for good: its state dict loses the folded <c>bn</c> entries and gains convolution
/// biases, and the folded model must not be trained (the statistics are gone). Save checkpoints before folding;
/// fold a fresh copy for inference.
/// </para>
/// </remarks>
public static class BatchNormFolding
{
    /// <summary>Folds every conv -> batch-norm pair of <paramref name="model"/> in place.</summary>
    /// <param name="model">A model in eval mode (<c>model.eval()</c>), typically a zoo model.</param>
    /// <returns>The batch norms folded and those kept, by their paths in the model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is in training mode, where batch norm uses batch statistics.</exception>
    public static BatchNormFoldResult Fold(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.training)
            throw new ArgumentException("batch norm folds only in eval mode (training mode normalises with batch statistics): call model.eval() first", nameof(model));
        var folded = new List<string>();
        var foldedNorms = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        // named_modules() leaves out the model itself, whose own children may pair up (the ResNet stem).
        var parents = model.named_modules().Prepend(("", model)).ToList();
        using (torch.no_grad())
        {
            foreach (var (path, parent) in parents)
            {
                foreach (var (convName, normName) in Pairs(parent))
                {
                    var children = parent.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
                    if (children[convName] is not Conv2d conv || children[normName] is not BatchNorm2d norm || !CanFold(conv, norm)) continue;
                    FoldInto(conv, norm);
                    MakeIdentity(norm);
                    ModuleSurgery.Replace(model, parent, normName, norm, nn.Identity());
                    folded.Add(Join(path, normName));
                    foldedNorms.Add(norm);
                }
            }
        }
        var kept = model.named_modules()
            .Where(m => m.module is BatchNorm1d or BatchNorm2d or BatchNorm3d && !foldedNorms.Contains(m.module))
            .Select(m => m.name)
            .ToList();
        return new BatchNormFoldResult(folded, kept);
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The (convolution, norm) child names of <paramref name="parent"/> that run one after the other in its forward pass.</summary>
    private static IEnumerable<(string Conv, string Norm)> Pairs(nn.Module parent) => parent switch
    {
        Sequential => Consecutive(parent.named_children().Select(c => c.name).ToList()),
        ConvBnAct => [("conv", "bn")],
        BasicBlock => [("conv1", "bn1"), ("conv2", "bn2")],
        Bottleneck => [("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3")],
        ResNet => [("conv1", "bn1")],
        _ => [],
    };

    private static IEnumerable<(string, string)> Consecutive(List<string> names)
    {
        for (int i = 0; i + 1 < names.Count; i++) yield return (names[i], names[i + 1]);
    }

    private static bool CanFold(Conv2d conv, BatchNorm2d norm) =>
        !conv.transposed && conv.weight is not null && norm.running_mean is not null && norm.running_var is not null
        && norm.num_features == conv.out_channels;

    private static void FoldInto(Conv2d conv, BatchNorm2d norm)
    {
        using var scope = NewDisposeScope();
        var weight = conv.weight!;
        var dtype = weight.dtype;
        var device = weight.device;
        long channels = conv.out_channels;
        // Computed in float64, stored in the convolution's type.
        var mean = norm.running_mean!.to(ScalarType.Float64);
        var variance = norm.running_var!.to(ScalarType.Float64);
        var gamma = norm.weight is { } g ? g.detach().to(ScalarType.Float64) : torch.ones(channels, ScalarType.Float64, device);
        var beta = norm.bias is { } b ? b.detach().to(ScalarType.Float64) : torch.zeros(channels, ScalarType.Float64, device);
        var scale = gamma / (variance + norm.eps).sqrt();
        var oldBias = conv.bias is { } cb ? cb.detach().to(ScalarType.Float64) : torch.zeros(channels, ScalarType.Float64, device);
        var newWeight = weight.detach().to(ScalarType.Float64) * scale.view(-1, 1, 1, 1);
        var newBias = (oldBias - mean) * scale + beta;
        weight.copy_(newWeight.to(dtype));
        if (conv.bias is { } bias) bias.copy_(newBias.to(dtype));
        else conv.bias = new Parameter(newBias.to(dtype).detach().MoveToOuterDisposeScope(), requires_grad: weight.requires_grad);
    }

    /// <summary>
    /// Sets the norm to the exact identity (mean 0, variance 1, eps 0, scale 1, shift 0), so that any reference to it
    /// the surgery cannot replace (a field typed <c>BatchNorm2d</c>) still computes the folded model.
    /// </summary>
    private static void MakeIdentity(BatchNorm2d norm)
    {
        norm.running_mean!.zero_();
        norm.running_var!.fill_(1.0);
        norm.eps = 0;
        norm.weight?.fill_(1.0);
        norm.bias?.zero_();
    }
}
