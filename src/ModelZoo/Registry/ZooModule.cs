using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>
/// The base of every zoo family's module: a <see cref="nn.Module{T, TResult}"/> that carries its model card and the
/// options it was built with (timm's <c>model.pretrained_cfg</c>), so an API given the model alone knows its head,
/// first convolution, feature stages and preprocessing. <see cref="Zoo.Create"/> sets the registry's card (a derived
/// family such as <c>binary-resnet18</c> gets its own card on the parent family's module).
/// </summary>
public abstract class ZooModule : nn.Module<Tensor, Tensor>, IZooModel
{
    /// <summary>Creates the module with its card and its resolved options.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="card">The card of the configuration being built.</param>
    /// <param name="options">The options it is built with, unset classes and channels filled in.</param>
    protected ZooModule(string name, ModelCard card, ModelOptions options) : base(name)
    {
        Card = card ?? throw new ArgumentNullException(nameof(card));
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <inheritdoc />
    public ModelCard Card { get; internal set; }

    /// <inheritdoc />
    public ModelOptions Options { get; internal set; }

    /// <inheritdoc />
    public abstract int NumClasses { get; }

    /// <inheritdoc />
    public abstract long NumFeatures { get; }

    /// <inheritdoc />
    public abstract Tensor ForwardFeatures(Tensor input);

    /// <inheritdoc />
    public abstract Tensor ForwardHead(Tensor features);

    /// <inheritdoc />
    public abstract void ResetClassifier(int numClasses);
}
