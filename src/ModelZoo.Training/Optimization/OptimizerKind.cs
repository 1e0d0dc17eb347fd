namespace ModelZoo.Training;

/// <summary>The optimisers the trainer knows (the seed compares SGD, Momentum, AdaGrad and Adam).</summary>
public enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>SGD with classical (heavy-ball) momentum, <see cref="TrainingOptions.Momentum"/>.</summary>
    Momentum,

    /// <summary>SGD with Nesterov momentum.</summary>
    Nesterov,

    /// <summary>AdaGrad.</summary>
    AdaGrad,

    /// <summary>Adam (weight decay as L2 penalty added to the gradient).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}
