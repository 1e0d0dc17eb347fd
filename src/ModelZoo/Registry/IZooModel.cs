using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>
/// What every zoo model offers besides <c>forward</c> (timm's contract): the trunk and the head separately, and a
/// way to swap the classifier. <c>forward(x)</c> equals <c>ForwardHead(ForwardFeatures(x))</c>.
/// </summary>
public interface IZooModel
{
    /// <summary>
    /// The model card (what <see cref="Zoo.Card"/> gives for the name it was created under): head and first-conv names,
    /// feature stages, preprocessing. APIs that need to know the model's layout read it here.
    /// </summary>
    ModelCard Card { get; }

    /// <summary>The options the model was built with, unset classes and input channels filled in from the card.</summary>
    ModelOptions Options { get; }

    /// <summary>Output classes of the classifier.</summary>
    int NumClasses { get; }

    /// <summary>Channels of the feature map <see cref="ForwardFeatures"/> returns (what global pooling sees).</summary>
    long NumFeatures { get; }

    /// <summary>Everything before global pooling: returns the last feature map, N x <see cref="NumFeatures"/> x H x W.</summary>
    /// <exception cref="ArgumentException">The input does not fit the model.</exception>
    Tensor ForwardFeatures(Tensor input);

    /// <summary>The head on a feature map from <see cref="ForwardFeatures"/>: pooling, flatten, dropout, classifier; returns logits.</summary>
    Tensor ForwardHead(Tensor features);

    /// <summary>
    /// Replaces the final linear layer (the card's <see cref="ModelCard.ClassifierName"/>; also the auxiliary heads' last
    /// layers where present) with a freshly initialised one of <paramref name="numClasses"/> outputs, under the same
    /// parameter names, on the same device and dtype. Everything else keeps its weights.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1.</exception>
    void ResetClassifier(int numClasses);
}
