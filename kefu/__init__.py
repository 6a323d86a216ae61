"""kefu — 客服管理系统, a customer service management system."""
