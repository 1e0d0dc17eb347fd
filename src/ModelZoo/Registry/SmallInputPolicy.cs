namespace ModelZoo;

/// <summary>How a model built for 224x224 input handles small images such as 28x28 MNIST.</summary>
public enum SmallInputPolicy
{
    /// <summary>Let the model card decide (see docs/models.md for each model's choice).</summary>
    Auto,

    /// <summary>Keep the torchvision architecture; the data pipeline resizes the input up to the model's minimum size.</summary>
    Resize,

    /// <summary>Swap in a small-input stem (e.g. 3x3 stride-1 first conv, no stem max-pool) that works at 28x28.</summary>
    SmallStem,
}
